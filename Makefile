# MyCloudManager — the operator ecosystem's usual targets. Every target installs what it needs
# first (idempotently), so each works on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JOBS          ?= $(shell nproc)
BUILD_DIR     ?= build/release
TEST_DIR      ?= build/test
CACHE_DIR     ?= $(or $(MCM_CACHE_DIR),$(HOME)/.cache/mycloudmanager)
export MCM_CACHE_DIR := $(CACHE_DIR)

.PHONY: help deps tools web build build-test run test unit cluster-up cluster-down install deploy bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

deps: ## install the Debian packages the build needs (skips what is there)
	@hack/install-deps.sh

tools: deps ## build kube-apiserver, etcd, kwok, kubectl... from pinned Go modules into the cache
	@hack/tools.sh >/dev/null

web: deps ## npm ci (when package-lock.json changed) and build web/dist
	@hack/web.sh

build: deps ## release build of the library, operators and gateway
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCM_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-test: deps ## sanitizer (ASan + UBSan) build with the tests
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMCM_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

unit: build-test web ## unit tests only (no cluster)
	@cd $(TEST_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

test: tools build-test web ## every test: unit, then integration against a real local control plane
	@hack/run-tests.sh $(TEST_DIR)

run: tools build web ## start the local control plane, the operators and the gateway
	@hack/run.sh $(BUILD_DIR)

cluster-up: tools ## start the local control plane (kubeconfig: see README)
	@hack/cluster-up.sh

cluster-down: ## stop the local control plane and remove its data
	@hack/cluster-down.sh

install: tools ## apply the CRDs to the current cluster
	@hack/kubectl.sh apply --server-side --force-conflicts -f crds/

deploy: install ## apply the manifests to the current cluster
	@hack/kubectl.sh apply -k manifests/base

bench: tools build web ## benchmarks, each beside a peer measured in the same run
	@bench/run.sh $(BUILD_DIR)

clean: ## remove build directories (the binary cache stays)
	rm -rf build
