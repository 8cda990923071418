// Package logparse reads access-log lines: `IP [TIME] "METHOD PATH" STATUS BYTES`.
package logparse

import (
	"regexp"
	"strconv"
	"strings"
)

// Entry is one parsed line.
type Entry struct {
	IP     string
	Method string
	Path   string
	Status int
	Bytes  int
}

// ParseLine parses one line; ok is false when it is malformed.
func ParseLine(line string) (Entry, bool) {
	parts := strings.Fields(line)
	if len(parts) < 6 {
		return Entry{}, false
	}
	if !regexp.MustCompile(`^\d{1,3}(\.\d{1,3}){3}$`).MatchString(parts[0]) {
		return Entry{}, false
	}
	method := strings.Trim(parts[2], `"`)
	if ok, _ := regexp.MatchString(`^(GET|POST|PUT|DELETE)$`, method); !ok {
		return Entry{}, false
	}
	path := strings.Trim(parts[3], `"`)
	template := regexp.MustCompile(`/\d+`).ReplaceAllString(path, "/:id")
	status, err := strconv.Atoi(parts[4])
	if err != nil {
		return Entry{}, false
	}
	size, err := strconv.Atoi(parts[5])
	if err != nil {
		return Entry{}, false
	}
	return Entry{IP: parts[0], Method: method, Path: template, Status: status, Bytes: size}, true
}

// Parse parses every well-formed line.
func Parse(lines []string) []Entry {
	out := make([]Entry, 0, len(lines))
	for _, line := range lines {
		if e, ok := ParseLine(line); ok {
			out = append(out, e)
		}
	}
	return out
}
