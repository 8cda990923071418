// Package wrap breaks text into lines.
package wrap

import "strings"

// Wrap joins the words into lines of at most width bytes.
func Wrap(words []string, width int) string {
	out := ""
	lineStart := 0
	for _, w := range words {
		if len(out)-lineStart+len(w)+1 > width && len(out) > lineStart {
			out += "\n"
			lineStart = len(out)
		} else if len(out) > lineStart {
			out += " "
		}
		out += w
	}
	return out
}

// Paragraphs wraps each paragraph.
func Paragraphs(text []string, width int) []string {
	out := make([]string, 0, len(text))
	for _, p := range text {
		out = append(out, Wrap(strings.Fields(p), width))
	}
	return out
}
