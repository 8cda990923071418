package payments

import (
	"bytes"
	"testing"
)

func TestHandle(t *testing.T) {
	s := &Server{log: &Logger{Min: LevelInfo, Out: &bytes.Buffer{}}}
	if got := s.Handle([]int{5, 7}); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("ids %v", got)
	}
}

func BenchmarkHandle(b *testing.B) {
	s := &Server{log: &Logger{Min: LevelInfo, Out: &bytes.Buffer{}}}
	amounts := make([]int, 5000)
	for i := 0; i < b.N; i++ {
		s.Handle(amounts)
	}
}
