package links

import (
	"fmt"
	"testing"
)

func TestShortenResolve(t *testing.T) {
	s := NewServer()
	status, code := s.Handle("POST", "/shorten", "https://example.com/a?b=c")
	if status != 201 || len(code) != 6 {
		t.Fatalf("shorten: %d %q", status, code)
	}
	if status, target := s.Handle("GET", "/r/"+code, ""); status != 302 || target != "https://example.com/a?b=c" {
		t.Fatalf("resolve: %d %q", status, target)
	}
	if status, stats := s.Handle("GET", "/stats/"+code, ""); status != 200 || stats != code+" 1" {
		t.Fatalf("stats: %d %q", status, stats)
	}
}

func TestBadRequests(t *testing.T) {
	s := NewServer()
	if status, _ := s.Handle("POST", "/shorten", "ftp://x"); status != 400 {
		t.Fatalf("ftp accepted: %d", status)
	}
	if status, _ := s.Handle("GET", "/r/nope99", ""); status != 404 {
		t.Fatalf("unknown code: %d", status)
	}
	if status, _ := s.Handle("DELETE", "/r/x", ""); status != 404 {
		t.Fatalf("unknown route: %d", status)
	}
}

// Mostly redirects, as production traffic is.
func BenchmarkHandle(b *testing.B) {
	s := NewServer()
	var codes []string
	for i := 0; i < 500; i++ {
		_, code := s.Handle("POST", "/shorten", fmt.Sprintf("https://example.com/page/%d", i))
		codes = append(codes, code)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 1000; j++ {
			s.Handle("GET", "/r/"+codes[j%len(codes)], "")
		}
	}
}
