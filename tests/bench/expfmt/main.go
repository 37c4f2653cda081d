// expfmt-bench: the reference point for gotriage's /metrics parser.
//
// It parses a Prometheus text payload with prometheus/common's
// expfmt.TextParser (what Prometheus' own tooling uses) and either prints the
// samples as gotriage-cli parse-metrics --json does (-json), so the C++ tests
// can compare against it, or times it (-bench).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

type sample struct {
	name   string
	labels map[string]string
	value  float64
	ts     *int64
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func with(base map[string]string, key, value string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	out[key] = value
	return out
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, +1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// flatten turns metric families back into exposition samples.
func flatten(families map[string]*dto.MetricFamily) []sample {
	var out []sample
	for name, family := range families {
		for _, m := range family.GetMetric() {
			base := labelsOf(m)
			var ts *int64
			if m.TimestampMs != nil {
				v := m.GetTimestampMs()
				ts = &v
			}
			add := func(n string, l map[string]string, v float64) {
				out = append(out, sample{n, l, v, ts})
			}
			switch family.GetType() {
			case dto.MetricType_COUNTER:
				add(name, base, m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add(name, base, m.GetGauge().GetValue())
			case dto.MetricType_UNTYPED:
				add(name, base, m.GetUntyped().GetValue())
			case dto.MetricType_SUMMARY:
				s := m.GetSummary()
				for _, q := range s.GetQuantile() {
					add(name, with(base, "quantile", formatFloat(q.GetQuantile())), q.GetValue())
				}
				add(name+"_sum", base, s.GetSampleSum())
				add(name+"_count", base, float64(s.GetSampleCount()))
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					add(name+"_bucket", with(base, "le", formatFloat(b.GetUpperBound())), float64(b.GetCumulativeCount()))
				}
				add(name+"_sum", base, h.GetSampleSum())
				add(name+"_count", base, float64(h.GetSampleCount()))
			}
		}
	}
	return out
}

func jsonValue(f float64) interface{} {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if math.IsNaN(f) {
			return "NaN"
		}
		return formatFloat(f)
	}
	return f
}

func printJSON(samples []sample) {
	lines := make([]string, 0, len(samples))
	for _, s := range samples {
		name, _ := json.Marshal(s.name)
		labels, _ := json.Marshal(s.labels) // map keys come out sorted
		value, _ := json.Marshal(jsonValue(s.value))
		line := fmt.Sprintf(`{"name":%s,"labels":%s,"value":%s`, name, labels, value)
		if s.ts != nil {
			line += fmt.Sprintf(`,"timestamp_ms":%d`, *s.ts)
		}
		lines = append(lines, line+"}")
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}

func main() {
	asJSON := flag.Bool("json", false, "print the samples as JSON lines (sorted)")
	bench := flag.Bool("bench", false, "time the parser")
	seconds := flag.Float64("seconds", 3, "with -bench: how long to measure")
	flag.Parse()
	if flag.NArg() != 1 || *asJSON == *bench {
		fmt.Fprintln(os.Stderr, "usage: expfmt-bench (-json | -bench [-seconds S]) FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	samples := flatten(families)
	if *asJSON {
		printJSON(samples)
		return
	}
	budget := time.Duration(*seconds * float64(time.Second))
	start := time.Now()
	iterations := 0
	for time.Since(start) < budget {
		var p expfmt.TextParser
		if _, err := p.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
			panic(err)
		}
		iterations++
	}
	elapsed := time.Since(start).Seconds()
	mbps := float64(len(data)) * float64(iterations) / elapsed / 1e6
	nsPerSample := elapsed * 1e9 / float64(len(samples)*iterations)
	fmt.Printf("file: %s, %d bytes, %d samples, %d iterations in %.2f s\n", flag.Arg(0), len(data), len(samples), iterations, elapsed)
	fmt.Printf("expfmt: %.1f MB/s, %.1f ns/sample\n", mbps, nsPerSample)
}
