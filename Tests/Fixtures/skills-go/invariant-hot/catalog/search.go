// Package catalog searches and prices products.
package catalog

import "strings"

// Product is one catalog entry.
type Product struct {
	Name     string
	Price    float64
	Currency string
}

// Search returns the products whose names start with prefix (any case), priced in the target currency.
func Search(products []Product, prefix, target string, rates map[string]map[string]float64) []Product {
	var out []Product
	for _, p := range products {
		if !strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(strings.TrimSpace(prefix))) {
			continue
		}
		p.Price = p.Price * rates[p.Currency][strings.ToUpper(target)]
		out = append(out, p)
	}
	return out
}
