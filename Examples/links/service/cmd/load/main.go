// Command load drives the links handlers with production-like traffic for a while and profiles itself.
//
//	go run ./cmd/load -seconds 4 -cpuprofile cpu.pprof
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"example.com/links/links"
)

func main() {
	seconds := flag.Float64("seconds", 4, "how long to drive load")
	profile := flag.String("cpuprofile", "", "write a CPU profile (pprof) here")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	s := links.NewServer()
	var codes []string
	for i := 0; i < 2000; i++ {
		_, code := s.Handle("POST", "/shorten", fmt.Sprintf("https://example.com/item/%d?ref=home", i))
		codes = append(codes, code)
	}
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	requests := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 2000; i++ {
			switch {
			case i%50 == 0:
				s.Handle("POST", "/shorten", fmt.Sprintf("https://example.com/new/%d", requests+i))
			case i%20 == 0:
				s.Handle("GET", "/stats/"+codes[i], "")
			default:
				s.Handle("GET", "/r/"+codes[(i*7+requests)%len(codes)], "")
			}
		}
		requests += 2000
	}
	fmt.Printf("%d requests\n", requests)
}
