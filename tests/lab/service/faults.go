package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type faultConfig struct {
	leakPerSec, creepPerSec, garbagePerSec, slowPerSec float64
	spinners                                           int
}

// faults runs the injected faults. Each one is a loop with a stop channel;
// "none" stops them all and releases what they held.
type faults struct {
	cfg     faultConfig
	mu      sync.Mutex
	running map[string]chan struct{}

	leakCh     chan struct{} // leaked goroutines wait on it forever (until "none")
	leakCount  int64
	retained   [][]byte
	downstream net.Listener // slowdeps: accepts and never answers
	conns      []net.Conn
}

var faultNames = []string{"leak", "memcreep", "gcfrenzy", "contention", "slowdeps"}

func newFaults(cfg faultConfig) *faults {
	return &faults{cfg: cfg, running: map[string]chan struct{}{}, leakCh: make(chan struct{})}
}

func (f *faults) modes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	for name := range f.running {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func (f *faults) leaked() int64 { return atomic.LoadInt64(&f.leakCount) }

// set makes exactly the listed faults run ("none" or "": none, and release).
func (f *faults) set(list string) error {
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" || name == "none" {
			continue
		}
		known := false
		for _, k := range faultNames {
			known = known || k == name
		}
		if !known {
			return fmt.Errorf("unknown fault %q (known: %s, none)", name, strings.Join(faultNames, ", "))
		}
		want[name] = true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, stop := range f.running {
		if !want[name] {
			close(stop)
			delete(f.running, name)
		}
	}
	for name := range want {
		if _, ok := f.running[name]; !ok {
			stop := make(chan struct{})
			f.running[name] = stop
			go f.run(name, stop)
		}
	}
	if len(want) == 0 {
		f.releaseLocked()
	}
	return nil
}

func (f *faults) releaseLocked() {
	close(f.leakCh)
	f.leakCh = make(chan struct{})
	atomic.StoreInt64(&f.leakCount, 0)
	f.retained = nil
	if f.downstream != nil {
		f.downstream.Close()
		f.downstream = nil
	}
	for _, c := range f.conns {
		c.Close()
	}
	f.conns = nil
}

// every calls fn every period until stop closes.
func every(period time.Duration, stop chan struct{}, fn func()) {
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			fn()
		}
	}
}

var sink []byte

func (f *faults) run(name string, stop chan struct{}) {
	switch name {
	case "leak":
		// Goroutines blocked forever on a channel receive: the classic leak.
		carry := 0.0
		every(100*time.Millisecond, stop, func() {
			carry += f.cfg.leakPerSec / 10
			f.mu.Lock()
			ch := f.leakCh
			f.mu.Unlock()
			for ; carry >= 1; carry-- {
				atomic.AddInt64(&f.leakCount, 1)
				go func() { <-ch }()
			}
		})
	case "memcreep":
		// Retained memory, every page touched so it is resident.
		every(100*time.Millisecond, stop, func() {
			chunk := make([]byte, int(f.cfg.creepPerSec/10))
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = 1
			}
			f.mu.Lock()
			f.retained = append(f.retained, chunk)
			f.mu.Unlock()
		})
	case "gcfrenzy":
		// A high rate of short-lived garbage in small objects.
		every(10*time.Millisecond, stop, func() {
			for n := 0; n < int(f.cfg.garbagePerSec/100); n += 1024 {
				sink = make([]byte, 1024)
			}
		})
	case "contention":
		// Goroutines spinning while holding one sync.Mutex.
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < f.cfg.spinners; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					deadline := time.Now().Add(200 * time.Microsecond)
					for time.Now().Before(deadline) {
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	case "slowdeps":
		// Calls to a downstream that accepts and never answers, with no timeout.
		f.mu.Lock()
		if f.downstream == nil {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				f.mu.Unlock()
				return
			}
			f.downstream = l
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					f.mu.Lock()
					f.conns = append(f.conns, c)
					f.mu.Unlock()
				}
			}()
		}
		url := "http://" + f.downstream.Addr().String() + "/never"
		f.mu.Unlock()
		client := &http.Client{} // no timeout: that is the bug being shown
		carry := 0.0
		every(100*time.Millisecond, stop, func() {
			carry += f.cfg.slowPerSec / 10
			for ; carry >= 1; carry-- {
				go func() {
					if resp, err := client.Get(url); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}()
			}
		})
	}
}

// handle serves GET and POST /admin/fault with {"faults": "leak,memcreep"}.
func (f *faults) handle(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var body struct {
			Faults *string `json:"faults"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Faults == nil {
			http.Error(w, `{"error":"expected {\"faults\": \"leak,memcreep\"} (or \"none\")"}`, http.StatusBadRequest)
			return
		}
		if err := f.set(*body.Faults); err != nil {
			http.Error(w, fmt.Sprintf(`{"error":%q}`, err.Error()), http.StatusBadRequest)
			return
		}
	default:
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, map[string]interface{}{"faults": f.modes(), "leaked": f.leaked()})
}
