package users

import "testing"

func TestExport(t *testing.T) {
	if rows := Export(nil); rows != nil {
		t.Fatal("no users must export nil")
	}
	rows := Export([]User{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}})
	if len(rows) != 2 || rows[1].Name != "b" {
		t.Fatalf("got %+v", rows)
	}
}

func BenchmarkExport(b *testing.B) {
	users := make([]User, 20000)
	for i := range users {
		users[i] = User{ID: int64(i), Name: "user", Email: "user@example.com"}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Export(users)
	}
}
