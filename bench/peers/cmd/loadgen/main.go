// Command loadgen puts load on the API server for the peers and our own binaries alike:
// --mode create makes --count objects of a custom resource, --mode update changes a label on
// each object once (a real change, so every object yields one watch event), --mode delete-all
// deletes them. Requests run --concurrency at a time; one JSON line reports the rate.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"mycloudmanager.io/bench/peers/internal/peer"
)

const (
	// setLabel marks the objects loadgen created; touchLabel is what --mode update changes.
	setLabel   = "bench.mycloudmanager.io/loadgen"
	touchLabel = "bench.mycloudmanager.io/touch"
	// listPage keeps each list response small whatever the object count.
	listPage = 500
)

type result struct {
	Mode      string  `json:"mode"`
	Count     int64   `json:"count"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
}

type options struct {
	client    dynamic.Interface
	gvr       schema.GroupVersionResource
	kind      string
	namespace string
	count     int
	workers   int
	size      int
	prefix    string
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig path (empty: $KUBECONFIG, then ~/.kube/config)")
	group := flag.String("group", "", "API group of the custom resource")
	version := flag.String("version", "", "API version of the custom resource")
	resource := flag.String("resource", "", "plural resource name")
	kind := flag.String("kind", "", "kind (needed by --mode create)")
	namespace := flag.String("namespace", "default", "namespace (update/delete-all: empty means all)")
	count := flag.Int("count", 0, "create: objects to create; update: objects to change (0: all)")
	concurrency := flag.Int("concurrency", 16, "requests in flight")
	size := flag.Int("size-bytes", 1000, "approximate size of each object's spec")
	prefix := flag.String("prefix", "widget", "create: object names are <prefix>-<index>")
	mode := flag.String("mode", "create", "create, update or delete-all")
	qps := flag.Float64("qps", 1000, "client-side rate limit, requests per second")
	burst := flag.Int("burst", 2000, "client-side rate limit burst")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up (exit 1) after this long")
	flag.Parse()

	if *version == "" || *resource == "" || *concurrency < 1 {
		peer.Fatalf("--version, --resource and --concurrency >= 1 are required")
	}
	cfg, err := peer.RESTConfig(*kubeconfig)
	if err != nil {
		peer.Fatalf("%v", err)
	}
	cfg.QPS, cfg.Burst = float32(*qps), *burst
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		peer.Fatalf("dynamic client: %v", err)
	}
	o := options{
		client:    client,
		gvr:       schema.GroupVersionResource{Group: *group, Version: *version, Resource: *resource},
		kind:      *kind,
		namespace: *namespace,
		count:     *count,
		workers:   *concurrency,
		size:      *size,
		prefix:    *prefix,
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var res result
	switch *mode {
	case "create":
		res = create(ctx, o)
	case "update":
		res = update(ctx, o)
	case "delete-all":
		res = deleteAll(ctx, o)
	default:
		peer.Fatalf("--mode %q: want create, update or delete-all", *mode)
	}
	res.Mode = *mode
	if res.Seconds > 0 {
		res.PerSecond = float64(res.Count) / res.Seconds
	}
	peer.PrintJSON(res)
	if res.Errors > 0 {
		os.Exit(1)
	}
}

func create(ctx context.Context, o options) result {
	if o.kind == "" || o.namespace == "" || o.count < 1 {
		peer.Fatalf("--mode create needs --kind, --namespace and --count >= 1")
	}
	ensureNamespace(ctx, o.client, o.namespace)
	apiVersion := schema.GroupVersion{Group: o.gvr.Group, Version: o.gvr.Version}.String()
	payload := strings.Repeat("0123456789abcdef", o.size/16+1)[:o.size]
	objects := o.client.Resource(o.gvr).Namespace(o.namespace)
	return run(ctx, o.count, o.workers, func(i int) error {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": apiVersion,
			"kind":       o.kind,
			"metadata": map[string]any{
				"name":      fmt.Sprintf("%s-%06d", o.prefix, i),
				"namespace": o.namespace,
				"labels":    map[string]any{setLabel: "true"},
			},
			"spec": map[string]any{"index": int64(i), "payload": payload},
		}}
		_, err := objects.Create(ctx, obj, metav1.CreateOptions{})
		return err
	})
}

// update sets touchLabel to a value new to this run, so every patch changes the object.
func update(ctx context.Context, o options) result {
	items := list(ctx, o)
	if o.count > 0 && o.count < len(items) {
		items = items[:o.count]
	}
	value := strconv.FormatInt(time.Now().UnixNano(), 36)
	patch := []byte(fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, touchLabel, value))
	return run(ctx, len(items), o.workers, func(i int) error {
		it := items[i]
		_, err := o.client.Resource(o.gvr).Namespace(it.Namespace).
			Patch(ctx, it.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		return err
	})
}

func deleteAll(ctx context.Context, o options) result {
	items := list(ctx, o)
	return run(ctx, len(items), o.workers, func(i int) error {
		it := items[i]
		err := o.client.Resource(o.gvr).Namespace(it.Namespace).Delete(ctx, it.Name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// list returns every object's namespace and name, page by page.
func list(ctx context.Context, o options) []types.NamespacedName {
	var out []types.NamespacedName
	opts := metav1.ListOptions{Limit: listPage}
	for {
		page, err := o.client.Resource(o.gvr).Namespace(o.namespace).List(ctx, opts)
		if err != nil {
			peer.Fatalf("list %s: %v", o.gvr.String(), err)
		}
		for _, it := range page.Items {
			out = append(out, types.NamespacedName{Namespace: it.GetNamespace(), Name: it.GetName()})
		}
		if opts.Continue = page.GetContinue(); opts.Continue == "" {
			return out
		}
	}
}

func ensureNamespace(ctx context.Context, client dynamic.Interface, name string) {
	namespaces := client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"})
	_, err := namespaces.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		ns := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
		}}
		_, err = namespaces.Create(ctx, ns, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
	}
	if err != nil {
		peer.Fatalf("namespace %s: %v", name, err)
	}
}

// run calls do(0..n-1) on a pool of workers and times the whole batch. Failures are counted,
// and the first few reported, rather than stopping the batch half done.
func run(ctx context.Context, n, workers int, do func(i int) error) result {
	var errs atomic.Int64
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					if errs.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "loadgen: item %d: %v\n", i, err)
					}
				}
			}
		})
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			peer.Fatalf("stopped after %d of %d requests: %v", i, n, ctx.Err())
		}
	}
	close(next)
	wg.Wait()
	return result{Count: int64(n) - errs.Load(), Errors: errs.Load(), Seconds: time.Since(start).Seconds()}
}
