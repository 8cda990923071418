// Package router matches request paths against the routes of mounted services.
package router

import "regexp"

// Route says whether path is an item path under prefix.
func Route(prefix, path string) bool {
	return regexp.MustCompile("^" + regexp.QuoteMeta(prefix) + `/\d+(/[a-z]+)?$`).MatchString(path)
}

// Count counts the paths that Route accepts for each prefix.
func Count(prefixes, paths []string) map[string]int {
	out := map[string]int{}
	for _, p := range prefixes {
		for _, path := range paths {
			if Route(p, path) {
				out[p]++
			}
		}
	}
	return out
}
