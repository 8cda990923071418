// Package report renders tables as CSV.
package report

import "strings"

// CSV renders the rows, quoting cells that need it.
func CSV(header []string, rows [][]string) string {
	out := strings.Join(header, ",") + "\n"
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				out += ","
			}
			if strings.ContainsAny(cell, ",\"\n") {
				cell = `"` + strings.ReplaceAll(cell, `"`, `""`) + `"`
			}
			out += cell
		}
		out += "\n"
	}
	return out
}
