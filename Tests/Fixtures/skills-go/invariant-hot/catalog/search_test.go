package catalog

import (
	"fmt"
	"testing"
)

var rates = map[string]map[string]float64{"EUR": {"USD": 1.1, "EUR": 1}, "USD": {"USD": 1, "EUR": 0.9}}

func TestSearch(t *testing.T) {
	got := Search([]Product{{"Apple pie", 2, "EUR"}, {"Banana", 1, "USD"}, {"apricot", 3, "USD"}}, " AP", "usd", rates)
	if len(got) != 2 || got[0].Price != 2.2 || got[1].Name != "apricot" {
		t.Fatalf("got %+v", got)
	}
}

func BenchmarkSearch(b *testing.B) {
	var products []Product
	for i := 0; i < 5000; i++ {
		products = append(products, Product{fmt.Sprintf("Product %d", i), float64(i), "EUR"})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Search(products, "  PROD  ", "usd", rates)
	}
}
