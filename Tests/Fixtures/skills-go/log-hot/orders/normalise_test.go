package orders

import (
	"bytes"
	"strings"
	"testing"
)

func sample(n int) []Order {
	var out []Order
	for i := 0; i < n; i++ {
		out = append(out, Order{ID: i, Customer: "  Carol ", Items: []string{" a ", "b "},
			Notes: map[string]string{"gift": "yes", "wrap": "blue"}})
	}
	return out
}

func TestNormalise(t *testing.T) {
	var buf bytes.Buffer
	got := Normalise(&Logger{Min: LevelDebug, Out: &buf}, sample(2))
	if got[0].Customer != "carol" || got[1].Items[0] != "a" {
		t.Fatalf("got %+v", got)
	}
	if !strings.Contains(buf.String(), "normalising order 1") || strings.Count(buf.String(), "\n") != 4 {
		t.Fatalf("debug output %q", buf.String())
	}
	buf.Reset()
	Normalise(&Logger{Min: LevelInfo, Out: &buf}, sample(2))
	if buf.Len() != 0 {
		t.Fatalf("info level wrote %q", buf.String())
	}
}

func BenchmarkNormalise(b *testing.B) {
	log := &Logger{Min: LevelInfo, Out: &bytes.Buffer{}}
	orders := sample(2000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Normalise(log, orders)
	}
}
