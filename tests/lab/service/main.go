// labsvc: a real Go service for gotriage's end-to-end tests and demos.
//
// It serves what Go services in production serve (/metrics from
// client_golang, /debug/vars, /debug/pprof/*), a /work endpoint counted by
// status code, and two admin endpoints: /admin/fault switches injected faults
// on and off at run time, /admin/throttle caps the admitted request rate.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "Requests to /work, by status code.",
	}, []string{"code"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Latency of /work requests.",
		Buckets: prometheus.DefBuckets,
	}, []string{"code"})
	latencySummary = prometheus.NewSummary(prometheus.SummaryOpts{
		Name:       "http_request_duration_summary_seconds",
		Help:       "Latency of /work requests, as a summary.",
		Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01, 0.99: 0.001},
	})
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free one)")
	portFile := flag.String("port-file", "", "write the chosen port here once listening")
	rich := flag.Bool("rich", false, "serve every runtime/metrics series and OpenMetrics on request")
	fault := flag.String("fault", "none", "initial faults: comma-separated leak, memcreep, gcfrenzy, contention, slowdeps, or none")
	leakPerSec := flag.Float64("leak-per-sec", 50, "leak: goroutines blocked forever per second")
	creepPerSec := flag.Float64("creep-bytes-per-sec", 1<<20, "memcreep: bytes retained per second")
	garbagePerSec := flag.Float64("garbage-bytes-per-sec", 100<<20, "gcfrenzy: short-lived bytes allocated per second")
	spinners := flag.Int("contention-goroutines", 8, "contention: goroutines fighting over one mutex")
	slowPerSec := flag.Float64("slowdeps-per-sec", 20, "slowdeps: downstream calls that never return, per second")
	load := flag.Float64("load", 0, "built-in load driver: requests per second to /work (0: off)")
	gomaxprocs := flag.Int("gomaxprocs", 0, "set GOMAXPROCS (0: the runtime's default)")
	flag.Parse()
	if *gomaxprocs > 0 {
		runtime.GOMAXPROCS(*gomaxprocs)
	}

	runtime.SetBlockProfileRate(10000)  // ~1 sample per 10 µs blocked
	runtime.SetMutexProfileFraction(10) // ~1 in 10 contention events

	registry := prometheus.NewRegistry()
	if *rich {
		registry.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)))
		registry.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		registry.MustRegister(latencySummary)
		http.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	} else {
		registry = nil
		http.Handle("/metrics", promhttp.Handler())
	}
	for _, c := range []prometheus.Collector{requests, latency} {
		if registry != nil {
			registry.MustRegister(c)
		} else {
			prometheus.MustRegister(c)
		}
	}

	faults := newFaults(faultConfig{
		leakPerSec: *leakPerSec, creepPerSec: *creepPerSec, garbagePerSec: *garbagePerSec,
		spinners: *spinners, slowPerSec: *slowPerSec,
	})
	limiter := newTokenBucket(0)
	expvar.Publish("goroutines", expvar.Func(func() interface{} { return runtime.NumGoroutine() }))
	expvar.Publish("fault", expvar.Func(func() interface{} { return faults.modes() }))
	expvar.Publish("pid", expvar.Func(func() interface{} { return os.Getpid() }))

	http.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := http.StatusOK
		if !limiter.allow() {
			code = http.StatusTooManyRequests
		} else {
			// A little real work, and a rare failure, so rates mean something.
			buf := make([]byte, 16<<10)
			rand.Read(buf)
			if rand.Intn(200) == 0 {
				code = http.StatusInternalServerError
			}
		}
		w.WriteHeader(code)
		label := fmt.Sprint(code)
		requests.WithLabelValues(label).Inc()
		latency.WithLabelValues(label).Observe(time.Since(start).Seconds())
		latencySummary.Observe(time.Since(start).Seconds())
	})
	http.HandleFunc("/admin/fault", faults.handle)
	http.HandleFunc("/admin/throttle", limiter.handle)
	http.HandleFunc("/admin/stats", func(w http.ResponseWriter, r *http.Request) {
		// The service's own view, for checking what gotriage derives.
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		writeJSON(w, map[string]interface{}{
			"pid": os.Getpid(), "goroutines": runtime.NumGoroutine(), "num_gc": m.NumGC,
			"heap_inuse": m.HeapInuse, "leaked": faults.leaked(), "faults": faults.modes(),
		})
	})

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	if *portFile != "" {
		// Written after listening, atomically, so whoever waits for it can connect.
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(fmt.Sprint(port)), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatal(err)
		}
	}
	if err := faults.set(*fault); err != nil {
		log.Fatal(err)
	}
	if *load > 0 {
		go drive(fmt.Sprintf("http://127.0.0.1:%d/work", port), *load)
	}
	log.Printf("labsvc pid %d on 127.0.0.1:%d, faults %v", os.Getpid(), port, faults.modes())
	log.Fatal(http.Serve(listener, nil))
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// drive keeps /work busy at about rps requests per second.
func drive(url string, rps float64) {
	client := &http.Client{Timeout: 5 * time.Second}
	ticker := time.NewTicker(time.Duration(float64(time.Second) / rps))
	defer ticker.Stop()
	for range ticker.C {
		go func() {
			resp, err := client.Get(url)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
}
