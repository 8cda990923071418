package users

import "testing"

func TestActive(t *testing.T) {
	got := Active([]User{{ID: 1, Active: true}, {ID: 2}})
	if len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("got %+v", got)
	}
}

func BenchmarkActive(b *testing.B) {
	users := make([]User, 20000)
	for i := range users {
		users[i] = User{ID: int64(i), Active: i%3 == 0}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Active(users)
	}
}
