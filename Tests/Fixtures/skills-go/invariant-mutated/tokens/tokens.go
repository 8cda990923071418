// Package tokens labels tokens with the section they appear in.
package tokens

import "strings"

// Label prefixes each token with the current section, which "#" tokens change.
func Label(tokens []string) []string {
	section := "Intro"
	out := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if strings.HasPrefix(t, "#") {
			section = strings.TrimPrefix(t, "#")
			continue
		}
		out = append(out, strings.ToLower(section)+":"+t)
	}
	return out
}
