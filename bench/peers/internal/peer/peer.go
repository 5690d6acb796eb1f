// Package peer holds what the benchmark peers share: client configuration, the choice of how
// an informer fills its cache, memory readings and the one-line JSON result.
package peer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"

	clientfeatures "k8s.io/client-go/features"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// RESTConfig loads a kubeconfig: the given path, else $KUBECONFIG, else ~/.kube/config.
// Client-side rate limiting is off: the C++ side has none, and with the client-go default
// (5 QPS) a paginated initial list would measure the limiter instead of the informer.
func RESTConfig(kubeconfig string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig %q: %w", kubeconfig, err)
	}
	cfg.QPS = -1
	return cfg, nil
}

// ListModes are the values of --list-mode.
const ListModes = "default|list|watch-list"

// SetListMode chooses how client-go informers fill their cache. Since Kubernetes 1.35 client-go
// defaults to a streaming watch with sendInitialEvents=true ("watch-list") where the server
// allows it, instead of LIST followed by WATCH; the two differ in cost on both ends, so a fair
// comparison has to know, and be able to pick, which one ran. "default" keeps client-go's own
// choice (KUBE_FEATURE_WatchListClient still applies). Call before any informer starts.
func SetListMode(mode string) error {
	switch mode {
	case "default":
		return nil
	case "list", "watch-list":
		clientfeatures.ReplaceFeatureGates(watchListGate{
			Gates: clientfeatures.FeatureGates(),
			on:    mode == "watch-list",
		})
		return nil
	}
	return fmt.Errorf("--list-mode %q: want one of %s", mode, ListModes)
}

// watchListGate overrides WatchListClient and leaves every other gate as it was.
type watchListGate struct {
	clientfeatures.Gates
	on bool
}

func (g watchListGate) Enabled(key clientfeatures.Feature) bool {
	if key == clientfeatures.WatchListClient {
		return g.on
	}
	return g.Gates.Enabled(key)
}

// ListObserver records which kind of initial fill the informers' requests actually used, since
// client-go falls back from watch-list to LIST silently when the server refuses it.
type ListObserver struct {
	list      atomic.Bool
	watchList atomic.Bool
}

// ObserveLists wraps cfg's transport; it only reads each request's query string.
func ObserveLists(cfg *rest.Config) *ListObserver {
	o := &ListObserver{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			q := req.URL.Query()
			switch {
			case q.Get("sendInitialEvents") == "true":
				o.watchList.Store(true)
			case q.Get("watch") == "" && (q.Has("resourceVersion") || q.Has("limit")):
				// A reflector's LIST always carries these; discovery requests do not.
				o.list.Store(true)
			}
			return rt.RoundTrip(req)
		})
	})
	return o
}

// Used names the fill seen so far: "list" wins, as it is also what a failed watch-list falls
// back to.
func (o *ListObserver) Used() string {
	switch {
	case o.list.Load():
		return "list"
	case o.watchList.Load():
		return "watch-list"
	}
	return "unknown"
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// Memory collects garbage twice (the second pass frees what finalizers of the first kept), then
// returns the resident set size and the Go heap in use. Freed pages the runtime has not yet
// returned to the OS still count in the RSS, as they would for a C++ allocator.
func Memory() (rssBytes, heapBytes uint64, err error) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rssBytes, err = vmRSS()
	return rssBytes, ms.HeapInuse, err
}

func vmRSS() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) == 3 && string(fields[0]) == "VmRSS:" && string(fields[2]) == "kB" {
			kb, err := strconv.ParseUint(string(fields[1]), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// Ready tells the harness that the peer is synced and measuring from now on. Stdout is
// unbuffered in Go, so the line is out when Write returns.
func Ready() {
	if _, err := os.Stdout.WriteString("READY\n"); err != nil {
		Fatalf("write READY: %v", err)
	}
}

// PrintJSON writes v as the single result line on stdout.
func PrintJSON(v any) {
	line, err := json.Marshal(v)
	if err != nil {
		Fatalf("encode result: %v", err)
	}
	if _, err := os.Stdout.Write(append(line, '\n')); err != nil {
		Fatalf("write result: %v", err)
	}
}

// Fatalf reports a failed run on stderr and exits non-zero, so the harness never reads a
// partial measurement as a result.
func Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", filepath.Base(os.Args[0]), fmt.Sprintf(format, args...))
	os.Exit(1)
}
