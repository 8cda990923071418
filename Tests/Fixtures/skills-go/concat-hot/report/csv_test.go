package report

import (
	"fmt"
	"testing"
)

func TestCSV(t *testing.T) {
	got := CSV([]string{"a", "b"}, [][]string{{"1", "x,y"}, {"2", `say "hi"`}})
	want := "a,b\n1,\"x,y\"\n2,\"say \"\"hi\"\"\"\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

var rows = func() [][]string {
	var out [][]string
	for i := 0; i < 1500; i++ {
		out = append(out, []string{fmt.Sprint(i), "item " + fmt.Sprint(i), "12.50", "ok"})
	}
	return out
}()

func BenchmarkCSV(b *testing.B) {
	for i := 0; i < b.N; i++ {
		CSV([]string{"id", "name", "price", "state"}, rows)
	}
}
