package wrap

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	if got := Wrap(strings.Fields("the quick brown fox jumps"), 10); got != "the quick\nbrown fox\njumps" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkParagraphs(b *testing.B) {
	text := []string{strings.Repeat("lorem ipsum dolor sit amet consectetur ", 200)}
	for i := 0; i < b.N; i++ {
		Paragraphs(text, 72)
	}
}
