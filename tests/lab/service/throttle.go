package main

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// tokenBucket admits up to rps requests per second (burst: one second's
// worth); 0 means unlimited.
type tokenBucket struct {
	mu     sync.Mutex
	rps    float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rps float64) *tokenBucket {
	return &tokenBucket{rps: rps, tokens: rps, last: time.Now()}
}

func (b *tokenBucket) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rps <= 0 {
		return true
	}
	now := time.Now()
	b.tokens += now.Sub(b.last).Seconds() * b.rps
	if b.tokens > b.rps {
		b.tokens = b.rps
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// handle serves GET and POST /admin/throttle with {"rps": N}.
func (b *tokenBucket) handle(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var body struct {
			RPS *float64 `json:"rps"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RPS == nil || *body.RPS < 0 {
			http.Error(w, `{"error":"expected {\"rps\": N} with N >= 0"}`, http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		b.rps = *body.RPS
		b.tokens = b.rps
		b.last = time.Now()
		b.mu.Unlock()
	default:
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	b.mu.Lock()
	rps := b.rps
	b.mu.Unlock()
	writeJSON(w, map[string]float64{"rps": rps})
}
