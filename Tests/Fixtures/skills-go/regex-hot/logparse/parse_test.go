package logparse

import (
	"fmt"
	"testing"
)

func TestParseLine(t *testing.T) {
	e, ok := ParseLine(`10.0.3.7 [21/Nov/2026:10:00:01] "GET /items/12/parts/5" 200 36`)
	if !ok || e.Path != "/items/:id/parts/:id" || e.Status != 200 || e.Bytes != 36 || e.Method != "GET" {
		t.Fatalf("got %+v %v", e, ok)
	}
	if _, ok := ParseLine(`nonsense [x] "FETCH /a" 200 1`); ok {
		t.Fatal("accepted a bad line")
	}
	if _, ok := ParseLine(`10.0.3.7 [x] "BREW /a" 200 1`); ok {
		t.Fatal("accepted a bad method")
	}
}

var lines = func() []string {
	var out []string
	for i := 0; i < 2000; i++ {
		out = append(out, fmt.Sprintf(`10.0.%d.%d [21/Nov/2026:10:00:%02d] "GET /items/%d/parts/%d" 200 %d`,
			i%256, i%7, i%60, i, i%13, i*3))
	}
	return out
}()

func BenchmarkParse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Parse(lines)
	}
}
