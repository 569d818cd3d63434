package linttest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Meter reports what every lint benchmark reports, the same way in each package: throughput,
// the CPU time burnt per 1,000 files (user and system, every thread: comparable across runs
// even on a busy machine) and the peak RSS.
type Meter struct {
	b     *testing.B
	start time.Time
	cpu   time.Duration
}

// StartMeter starts measuring b (and resets its timer and allocation counts).
func StartMeter(b *testing.B) *Meter {
	b.ReportAllocs()
	b.ResetTimer()
	return &Meter{b: b, start: time.Now(), cpu: cpuTime()}
}

// Report adds files/s, cpu-ms/kfile and peak-RSS-MiB for b.N runs over files files each.
func (m *Meter) Report(files int) {
	n := float64(m.b.N * files)
	m.b.ReportMetric(n/time.Since(m.start).Seconds(), "files/s")
	m.b.ReportMetric(float64((cpuTime()-m.cpu).Milliseconds())/(n/1000), "cpu-ms/kfile")
	m.b.ReportMetric(PeakRSSMiB(), "peak-RSS-MiB")
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSSMiB reads the process's high-water resident set size (Linux), 0 elsewhere: the high-water
// mark never goes down, so run one size per process for a meaningful figure.
func PeakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for l := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
