package checksum

import (
	"strings"
	"testing"
)

func TestDigests(t *testing.T) {
	got := Digests([]Record{{1, []string{"a"}}, {1, []string{"a"}}, {2, nil}})
	if len(got) != 2 || got[0] != got[1] || len(got[0]) == 0 {
		t.Fatalf("got %v", got)
	}
}

func BenchmarkDigests(b *testing.B) {
	records := make([]Record, 3000)
	for i := range records {
		records[i] = Record{i, []string{strings.Repeat("x", 12), "y"}}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Digests(records)
	}
}
