// Package payments handles payment requests.
package payments

// Server hands out request ids.
type Server struct {
	log  *Logger
	next int
}

func (s *Server) nextID() int {
	s.next++
	return s.next
}

// Handle charges each amount and returns the request ids used.
func (s *Server) Handle(amounts []int) []int {
	var ids []int
	for _, a := range amounts {
		s.log.Debugf("request %d: charging %d", s.nextID(), a)
		ids = append(ids, s.next)
	}
	return ids
}
