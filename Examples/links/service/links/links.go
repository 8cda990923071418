// Package links is a small link shortener: short codes for long URLs, redirects and hit counts.
package links

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// Link is one shortened URL.
type Link struct {
	Code   string
	Target string
	Hits   int
}

// Server holds the links in memory.
type Server struct {
	mu    sync.Mutex
	links map[string]*Link
	next  uint64
}

// ErrNotFound is returned for an unknown code.
var ErrNotFound = errors.New("no such link")

// NewServer returns an empty server.
func NewServer() *Server { return &Server{links: map[string]*Link{}} }

const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func encode(n uint64) string {
	var b [8]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[n%uint64(len(alphabet))]
		n /= uint64(len(alphabet))
	}
	return string(b[2:])
}

// Shorten stores target and returns its code.
func (s *Server) Shorten(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("not an http(s) URL: %q", target)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	code := encode(s.next*7919 + 104729)
	s.links[code] = &Link{Code: code, Target: u.String()}
	return code, nil
}

// Resolve returns the target of code and counts the hit.
func (s *Server) Resolve(code string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	link, ok := s.links[code]
	if !ok {
		return "", ErrNotFound
	}
	link.Hits++
	return link.Target, nil
}

// Handle serves one request: POST /shorten (body: the URL), GET /r/CODE, GET /stats/CODE.
func (s *Server) Handle(method, path, body string) (int, string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == "POST" && len(parts) == 1 && parts[0] == "shorten":
		code, err := s.Shorten(strings.TrimSpace(body))
		if err != nil {
			return 400, err.Error()
		}
		return 201, code
	case method == "GET" && len(parts) == 2 && parts[0] == "r":
		target, err := s.Resolve(parts[1])
		if err != nil {
			return 404, err.Error()
		}
		return 302, target
	case method == "GET" && len(parts) == 2 && parts[0] == "stats":
		s.mu.Lock()
		defer s.mu.Unlock()
		if link, ok := s.links[parts[1]]; ok {
			return 200, fmt.Sprintf("%s %d", link.Code, link.Hits)
		}
		return 404, ErrNotFound.Error()
	}
	return 404, "no route"
}
