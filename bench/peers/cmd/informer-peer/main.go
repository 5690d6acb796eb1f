// Command informer-peer is the client-go side of the informer benchmark: a dynamic shared
// informer on one custom resource, configured as our C++ informer is (no resync, managedFields
// dropped before caching).
//
// --mode sync prints how long the initial fill took and the memory held afterwards.
// --mode watch fills the cache, prints READY, then counts the events delivered to a handler.
package main

import (
	"context"
	"flag"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"mycloudmanager.io/bench/peers/internal/peer"
)

type syncResult struct {
	Peer        string  `json:"peer"`
	Mode        string  `json:"mode"`
	Objects     int     `json:"objects"`
	SyncSeconds float64 `json:"sync_seconds"`
	RSSBytes    uint64  `json:"rss_bytes"`
	HeapBytes   uint64  `json:"heap_bytes"`
	ListMode    string  `json:"list_mode"`
}

type watchResult struct {
	Peer            string  `json:"peer"`
	Mode            string  `json:"mode"`
	Events          int64   `json:"events"`
	Seconds         float64 `json:"seconds"`
	EventsPerSecond float64 `json:"events_per_second"`
	ListMode        string  `json:"list_mode"`
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig path (empty: $KUBECONFIG, then ~/.kube/config)")
	group := flag.String("group", "", "API group of the custom resource")
	version := flag.String("version", "", "API version of the custom resource")
	resource := flag.String("resource", "", "plural resource name")
	namespace := flag.String("namespace", "", "namespace to watch (empty: all)")
	expect := flag.Int("expect", 0, "sync: objects the cache must hold (0: no check); watch: events to count after READY")
	mode := flag.String("mode", "sync", "sync or watch")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up (exit 1) after this long")
	listMode := flag.String("list-mode", "default", "initial fill: "+peer.ListModes)
	flag.Parse()

	if *version == "" || *resource == "" {
		peer.Fatalf("--version and --resource are required")
	}
	if *mode == "watch" && *expect <= 0 {
		peer.Fatalf("--mode watch needs --expect > 0")
	}
	if *mode != "sync" && *mode != "watch" {
		peer.Fatalf("--mode %q: want sync or watch", *mode)
	}
	if err := peer.SetListMode(*listMode); err != nil {
		peer.Fatalf("%v", err)
	}
	cfg, err := peer.RESTConfig(*kubeconfig)
	if err != nil {
		peer.Fatalf("%v", err)
	}
	observer := peer.ObserveLists(cfg)
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		peer.Fatalf("dynamic client: %v", err)
	}

	gvr := schema.GroupVersionResource{Group: *group, Version: *version, Resource: *resource}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, *namespace, nil)
	informer := factory.ForResource(gvr).Informer()
	if err := informer.SetTransform(dropManagedFields); err != nil {
		peer.Fatalf("set transform: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *mode == "sync" {
		runSync(ctx, factory, informer, *expect, observer)
	} else {
		runWatch(ctx, factory, informer, int64(*expect), observer)
	}
}

// dropManagedFields mirrors our informer, which never stores managedFields: they are often the
// largest part of an object and no controller reads them.
func dropManagedFields(obj any) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	}
	return obj, nil
}

// runSync registers no handler: what is measured is the cache itself, not the notification
// buffers a handler would add.
func runSync(ctx context.Context, factory dynamicinformer.DynamicSharedInformerFactory,
	informer cache.SharedIndexInformer, expect int, observer *peer.ListObserver) {
	start := time.Now()
	factory.Start(ctx.Done())
	// The checker's channel closes the moment the store is filled; WaitForCacheSync would poll
	// every 100ms and blur the figure by as much.
	select {
	case <-informer.HasSyncedChecker().Done():
	case <-ctx.Done():
		peer.Fatalf("cache not synced: %v", ctx.Err())
	}
	elapsed := time.Since(start)

	objects := len(informer.GetStore().ListKeys())
	if expect > 0 && objects != expect {
		peer.Fatalf("synced with %d objects, expected %d", objects, expect)
	}
	rss, heap, err := peer.Memory()
	if err != nil {
		peer.Fatalf("read memory: %v", err)
	}
	peer.PrintJSON(syncResult{
		Peer: "client-go", Mode: "sync", Objects: objects, SyncSeconds: elapsed.Seconds(),
		RSSBytes: rss, HeapBytes: heap, ListMode: observer.Used(),
	})
}

// eventCounter is called from the informer's single delivery goroutine for this handler, so
// only the state shared with main is atomic.
type eventCounter struct {
	counting atomic.Bool // set just before READY: earlier events belong to the initial fill
	expect   int64
	seen     atomic.Int64 // atomic only so a timeout can say how far it got
	first    time.Time
	last     time.Time
	done     chan struct{}
}

func (c *eventCounter) event() {
	if !c.counting.Load() || c.seen.Load() >= c.expect {
		return
	}
	now := time.Now()
	if c.seen.Load() == 0 {
		c.first = now
	}
	c.last = now
	if c.seen.Add(1) == c.expect {
		close(c.done)
	}
}

func (c *eventCounter) OnAdd(any, bool)        { c.event() }
func (c *eventCounter) OnUpdate(any, any)      { c.event() }
func (c *eventCounter) OnDelete(any)           { c.event() }
func (c *eventCounter) elapsed() time.Duration { return c.last.Sub(c.first) }

func runWatch(ctx context.Context, factory dynamicinformer.DynamicSharedInformerFactory,
	informer cache.SharedIndexInformer, expect int64, observer *peer.ListObserver) {
	counter := &eventCounter{expect: expect, done: make(chan struct{})}
	reg, err := informer.AddEventHandler(counter)
	if err != nil {
		peer.Fatalf("add handler: %v", err)
	}
	factory.Start(ctx.Done())
	// The registration is synced once the initial adds have reached the handler too, so none of
	// them is counted as a watch event.
	select {
	case <-reg.HasSyncedChecker().Done():
	case <-ctx.Done():
		peer.Fatalf("cache not synced: %v", ctx.Err())
	}
	counter.counting.Store(true)
	peer.Ready()

	select {
	case <-counter.done:
	case <-ctx.Done():
		peer.Fatalf("counted %d of %d events before the timeout", counter.seen.Load(), expect)
	}
	// Closing done happened after the handler's last write, so reading its fields is safe.
	seconds := counter.elapsed().Seconds()
	rate := 0.0
	if seconds > 0 {
		rate = float64(expect) / seconds
	}
	peer.PrintJSON(watchResult{
		Peer: "client-go", Mode: "watch", Events: expect, Seconds: seconds,
		EventsPerSecond: rate, ListMode: observer.Used(),
	})
}
