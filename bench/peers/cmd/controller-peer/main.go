// Command controller-peer is the controller-runtime side of the controller benchmark: a manager
// with one controller for a custom resource whose reconcile does nothing but count, so the
// figure is the framework's own cost per reconcile (queue, workers, cache, logging, metrics).
//
// --mode update (default) syncs, reconciles every object once, prints READY, then counts the
// reconciles caused by the harness's updates until --expect or until --idle passes without one.
// --mode initial times the manager from start until --expect objects were reconciled (all of
// them are enqueued at once by the initial list) and says when the first reconcile ran, so the
// queue drain can be told apart from start-up and the cache fill.
package main

import (
	"context"
	"flag"
	"math"
	"os"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"mycloudmanager.io/bench/peers/internal/peer"
)

type result struct {
	Peer                string  `json:"peer"`
	Mode                string  `json:"mode"`
	Reconciles          int64   `json:"reconciles"`
	Seconds             float64 `json:"seconds"`
	ReconcilesPerSecond float64 `json:"reconciles_per_second"`
	// FirstReconcileSeconds (initial mode) is when the first reconcile ran: the start-up and
	// cache-fill share of Seconds; the rest is the queue being drained.
	FirstReconcileSeconds float64 `json:"first_reconcile_seconds,omitempty"`
	Workers               int     `json:"workers"`
	ListMode              string  `json:"list_mode"`
}

// counter is the reconciler. Workers run it concurrently, so everything is atomic; times are
// monotonic offsets from base, in nanoseconds.
type counter struct {
	base     time.Time
	total    atomic.Int64 // every reconcile since start
	counting atomic.Bool  // reconciles are measured only while set
	counted  atomic.Int64
	first    atomic.Int64 // earliest counted reconcile, math.MaxInt64 until one happened
	last     atomic.Int64 // latest counted reconcile
	expect   int64        // 0: stop on idle only
	hit      atomic.Int64 // time of the reconcile that reached expect
	done     chan struct{}
}

func newCounter(expect int64) *counter {
	c := &counter{base: time.Now(), expect: expect, done: make(chan struct{})}
	c.first.Store(math.MaxInt64)
	return c
}

func (c *counter) Reconcile(context.Context, reconcile.Request) (reconcile.Result, error) {
	c.total.Add(1)
	if !c.counting.Load() {
		return reconcile.Result{}, nil
	}
	now := int64(time.Since(c.base))
	storeMin(&c.first, now)
	storeMax(&c.last, now)
	if c.counted.Add(1) == c.expect {
		c.hit.Store(now)
		close(c.done)
	}
	return reconcile.Result{}, nil
}

func storeMin(v *atomic.Int64, x int64) {
	for old := v.Load(); x < old && !v.CompareAndSwap(old, x); old = v.Load() {
	}
}

func storeMax(v *atomic.Int64, x int64) {
	for old := v.Load(); x > old && !v.CompareAndSwap(old, x); old = v.Load() {
	}
}

func main() {
	// controller-runtime registers its own --kubeconfig on the global flag set at init; ours
	// is a separate set so the flag means the same in every peer.
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig path (empty: $KUBECONFIG, then ~/.kube/config)")
	group := fs.String("group", "", "API group of the custom resource")
	version := fs.String("version", "", "API version of the custom resource")
	kind := fs.String("kind", "", "kind of the custom resource")
	namespace := fs.String("namespace", "", "namespace to cache and reconcile (empty: all)")
	workers := fs.Int("workers", 2, "MaxConcurrentReconciles")
	expect := fs.Int64("expect", 0, "update: reconciles to count after READY (0: until idle); initial: objects to reconcile")
	idle := fs.Duration("idle", 2*time.Second, "update: stop once no reconcile happened for this long")
	mode := fs.String("mode", "update", "update or initial")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up (exit 1) after this long")
	listMode := fs.String("list-mode", "default", "initial fill of the cache: "+peer.ListModes)
	priorityQueue := fs.Bool("priority-queue", true, "use controller-runtime's priority queue (its default)")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: never returns an error

	if *version == "" || *kind == "" {
		peer.Fatalf("--version and --kind are required")
	}
	if *mode != "update" && *mode != "initial" {
		peer.Fatalf("--mode %q: want update or initial", *mode)
	}
	if *mode == "initial" && *expect <= 0 {
		peer.Fatalf("--mode initial needs --expect > 0")
	}
	if err := peer.SetListMode(*listMode); err != nil {
		peer.Fatalf("%v", err)
	}
	// Framework messages go to stderr; the per-reconcile ones are at V(5) and stay off.
	ctrl.SetLogger(klog.NewKlogr())

	cfg, err := peer.RESTConfig(*kubeconfig)
	if err != nil {
		peer.Fatalf("%v", err)
	}
	observer := peer.ObserveLists(cfg)

	cacheOpts := cache.Options{DefaultTransform: cache.TransformStripManagedFields()}
	if *namespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{*namespace: {}}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		LeaderElection:         false,
		Cache:                  cacheOpts,
		Controller:             config.Controller{UsePriorityQueue: priorityQueue},
	})
	if err != nil {
		peer.Fatalf("new manager: %v", err)
	}

	gvk := schema.GroupVersionKind{Group: *group, Version: *version, Kind: *kind}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(gvk)
	c := newCounter(*expect)
	err = ctrl.NewControllerManagedBy(mgr).
		Named("peer").
		For(obj).
		WithOptions(controller.Options{MaxConcurrentReconciles: *workers}).
		Complete(c)
	if err != nil {
		peer.Fatalf("new controller: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	out := result{Peer: "controller-runtime", Mode: *mode, Workers: *workers}
	if *mode == "initial" {
		runInitial(ctx, mgr, c, &out)
	} else {
		runUpdate(ctx, mgr, c, gvk, *namespace, *idle, &out)
	}
	out.ListMode = observer.Used()
	if out.Seconds > 0 {
		out.ReconcilesPerSecond = float64(out.Reconciles) / out.Seconds
	}
	peer.PrintJSON(out)
}

// start runs the manager. The channel reports only a stop of its own accord: a stop caused by
// the timeout is left to the caller's ctx.Done case, which knows what it was waiting for.
func start(ctx context.Context, mgr manager.Manager) <-chan error {
	errc := make(chan error, 1)
	go func() {
		if err := mgr.Start(ctx); ctx.Err() == nil {
			errc <- err
		}
	}()
	return errc
}

func runInitial(ctx context.Context, mgr manager.Manager, c *counter, out *result) {
	c.base = time.Now()
	c.counting.Store(true)
	errc := start(ctx, mgr)
	select {
	case <-c.done:
	case err := <-errc:
		peer.Fatalf("manager stopped: %v", err)
	case <-ctx.Done():
		peer.Fatalf("reconciled %d of %d objects before the timeout", c.counted.Load(), c.expect)
	}
	out.Reconciles = c.expect
	out.Seconds = time.Duration(c.hit.Load()).Seconds()
	out.FirstReconcileSeconds = time.Duration(c.first.Load()).Seconds()
}

func runUpdate(ctx context.Context, mgr manager.Manager, c *counter, gvk schema.GroupVersionKind,
	namespace string, idle time.Duration, out *result) {
	errc := start(ctx, mgr)
	waitInitial(ctx, mgr, c, gvk, namespace, errc)
	c.counting.Store(true)
	peer.Ready()

	tick := time.NewTicker(max(idle/20, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			out.Reconciles = c.expect
			out.Seconds = time.Duration(c.hit.Load() - c.first.Load()).Seconds()
			return
		case <-tick.C:
			last := c.last.Load()
			if c.counted.Load() > 0 && time.Since(c.base)-time.Duration(last) >= idle {
				out.Reconciles = c.counted.Load()
				out.Seconds = time.Duration(last - c.first.Load()).Seconds()
				return
			}
		case err := <-errc:
			peer.Fatalf("manager stopped: %v", err)
		case <-ctx.Done():
			peer.Fatalf("counted %d reconciles, no idle period before the timeout", c.counted.Load())
		}
	}
}

// waitInitial returns once the cache is synced and every cached object has had its initial
// reconcile, so that only reconciles caused by the harness are counted after READY. Each key
// is reconciled once on start: the queue merges duplicates and nothing else changes objects
// before READY.
func waitInitial(ctx context.Context, mgr manager.Manager, c *counter, gvk schema.GroupVersionKind,
	namespace string, errc <-chan error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	var opts []client.ListOption
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	listed := false
	var listErr error
	for {
		if !listed {
			// Fails with ErrCacheNotStarted until the manager has started the cache, and
			// blocks until the informer is synced after that.
			listErr = mgr.GetCache().List(ctx, list, opts...)
			listed = listErr == nil
		}
		if listed && c.total.Load() >= int64(len(list.Items)) {
			return
		}
		select {
		case <-poll.C:
		case err := <-errc:
			peer.Fatalf("manager stopped: %v", err)
		case <-ctx.Done():
			if !listed {
				peer.Fatalf("cache not synced before the timeout: %v", listErr)
			}
			peer.Fatalf("initial reconciles not done before the timeout: %d of %d", c.total.Load(), len(list.Items))
		}
	}
}
