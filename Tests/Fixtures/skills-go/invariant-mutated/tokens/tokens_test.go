package tokens

import "testing"

func TestLabel(t *testing.T) {
	got := Label([]string{"a", "#Body", "b"})
	if len(got) != 2 || got[0] != "intro:a" || got[1] != "body:b" {
		t.Fatalf("got %v", got)
	}
}

func BenchmarkLabel(b *testing.B) {
	var tokens []string
	for i := 0; i < 5000; i++ {
		if i%500 == 0 {
			tokens = append(tokens, "#Section")
		}
		tokens = append(tokens, "word")
	}
	for i := 0; i < b.N; i++ {
		Label(tokens)
	}
}
