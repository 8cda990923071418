// Package orders cleans incoming orders.
package orders

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Order is one order as received.
type Order struct {
	ID       int               `json:"id"`
	Customer string            `json:"customer"`
	Items    []string          `json:"items"`
	Notes    map[string]string `json:"notes"`
}

// Normalise trims and lower-cases the orders' fields, logging each at debug level.
func Normalise(log *Logger, orders []Order) []Order {
	out := make([]Order, 0, len(orders))
	for _, o := range orders {
		raw, _ := json.Marshal(o)
		log.Debugf("normalising order %d: %s", o.ID, string(raw))
		o.Customer = strings.ToLower(strings.TrimSpace(o.Customer))
		for i, item := range o.Items {
			o.Items[i] = strings.TrimSpace(item)
		}
		log.Debugf("normalised: %s", fmt.Sprintf("%+v", o))
		out = append(out, o)
	}
	return out
}
