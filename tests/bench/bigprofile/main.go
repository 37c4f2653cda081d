// bigprofile writes a large heap profile made by the Go runtime itself, so
// that the profile benchmark decodes what Go really writes, not a file of
// our own making. Every allocation is sampled (MemProfileRate = 1) and
// comes from its own call path, through eight functions that call one
// another in the order a path's digits give; each path is one stack, one
// sample in the profile.
//
//	bigprofile -stacks 400000 -out big.pb.gz
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var sink [][]byte

const fanout = 8

// walk descends one level per digit of path (base 8), each level through a
// different function, and allocates at the bottom.
func walk(path, depth int) {
	if depth == 0 {
		sink = append(sink, make([]byte, 16+path%64))
		return
	}
	next := path / fanout
	switch path % fanout {
	case 0:
		f0(next, depth-1)
	case 1:
		f1(next, depth-1)
	case 2:
		f2(next, depth-1)
	case 3:
		f3(next, depth-1)
	case 4:
		f4(next, depth-1)
	case 5:
		f5(next, depth-1)
	case 6:
		f6(next, depth-1)
	default:
		f7(next, depth-1)
	}
}

//go:noinline
func f0(path, depth int) { walk(path, depth) }

//go:noinline
func f1(path, depth int) { walk(path, depth) }

//go:noinline
func f2(path, depth int) { walk(path, depth) }

//go:noinline
func f3(path, depth int) { walk(path, depth) }

//go:noinline
func f4(path, depth int) { walk(path, depth) }

//go:noinline
func f5(path, depth int) { walk(path, depth) }

//go:noinline
func f6(path, depth int) { walk(path, depth) }

//go:noinline
func f7(path, depth int) { walk(path, depth) }

func main() {
	stacks := flag.Int("stacks", 400000, "distinct allocation stacks (samples in the profile)")
	out := flag.String("out", "big.pb.gz", "where to write the heap profile")
	flag.Parse()
	runtime.MemProfileRate = 1
	depth := 1
	for p := fanout; p < *stacks; p *= fanout {
		depth++
	}
	for path := 0; path < *stacks; path++ {
		walk(path, depth)
	}
	runtime.GC()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
