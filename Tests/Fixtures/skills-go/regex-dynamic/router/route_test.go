package router

import (
	"fmt"
	"testing"
)

func TestRoute(t *testing.T) {
	if !Route("/api/items", "/api/items/12/parts") || Route("/api/items", "/api/users/12") {
		t.Fatal("wrong routing")
	}
}

var paths = func() []string {
	var out []string
	for i := 0; i < 300; i++ {
		out = append(out, fmt.Sprintf("/api/items/%d/parts", i), fmt.Sprintf("/api/users/%d", i))
	}
	return out
}()

func BenchmarkCount(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Count([]string{"/api/items", "/api/users", "/api/orders"}, paths)
	}
}
