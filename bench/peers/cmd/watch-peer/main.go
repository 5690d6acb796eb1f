// Command watch-peer measures raw watch throughput with client-go: it watches a custom resource
// from a given resourceVersion, so the API server replays every change after it from its cache
// as fast as the client reads, and reports events per second from the first event to the last.
// The C++ side (mcm-watch-bench) does the same against the same server in the same run.
package main

import (
	"context"
	"flag"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"mycloudmanager.io/bench/peers/internal/peer"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig path (empty: $KUBECONFIG, then ~/.kube/config)")
	group := flag.String("group", "", "API group of the custom resource")
	version := flag.String("version", "", "API version of the custom resource")
	resource := flag.String("resource", "", "plural resource name")
	namespace := flag.String("namespace", "", "namespace to watch (empty: all)")
	from := flag.String("resource-version", "", "resourceVersion to watch from")
	expect := flag.Int("expect", 0, "events to count")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up (exit 1) after this long")
	flag.Parse()
	if *expect <= 0 || *from == "" {
		peer.Fatalf("--expect and --resource-version are required")
	}
	cfg, err := peer.RESTConfig(*kubeconfig)
	if err != nil {
		peer.Fatalf("%v", err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		peer.Fatalf("client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	gvr := schema.GroupVersionResource{Group: *group, Version: *version, Resource: *resource}
	w, err := client.Resource(gvr).Namespace(*namespace).Watch(ctx, v1.ListOptions{ResourceVersion: *from})
	if err != nil {
		peer.Fatalf("watch: %v", err)
	}
	defer w.Stop()
	var first, last time.Time
	count := 0
	for event := range w.ResultChan() {
		if event.Type == "ERROR" {
			peer.Fatalf("watch error event: %v", event.Object)
		}
		if count == 0 {
			first = time.Now()
		}
		count++
		last = time.Now()
		if count == *expect {
			break
		}
	}
	if count < *expect {
		peer.Fatalf("watch ended after %d of %d events", count, *expect)
	}
	seconds := last.Sub(first).Seconds()
	peer.PrintJSON(map[string]any{
		"peer": "client-go", "mode": "watch-replay", "events": count, "seconds": seconds,
		"events_per_second": float64(count) / seconds,
	})
}
