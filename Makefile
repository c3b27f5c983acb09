# holistic: the common chores. `make help` lists them.
KIND_CLUSTER ?= kind
# The names the harness looks for (harness/targets/images.ts): the same on podman, docker and in the kind node.
TOOLS_IMAGE  ?= localhost/debug-tools:latest
ENGINE       ?= $(shell if docker info >/dev/null 2>&1; then echo docker; \
                        elif command -v podman >/dev/null 2>&1; then echo podman; else echo docker; fi)
export CONTAINERS_CONF ?= $(abspath hack/containers.conf)
# The Dockerfiles use RUN --mount (a build secret): docker 20.10 needs BuildKit for it.
export DOCKER_BUILDKIT ?= 1
# A CA bundle for builds behind a TLS-inspecting proxy, as hack/images/build passes it (the build secret "ca").
comma := ,
CA_BUNDLE    ?= $(wildcard /etc/ssl/certs/ca-certificates.crt)
CA_SECRET    ?= $(if $(CA_BUNDLE),--secret id=ca$(comma)src=$(CA_BUNDLE))
# kind's node provider is the engine that holds the images (kind would otherwise prefer docker when it answers).
export KIND_EXPERIMENTAL_PROVIDER ?= $(ENGINE)
# `kind load docker-image` always reads docker's images: from podman, an image goes through an archive.
ifeq ($(ENGINE),podman)
KIND_LOAD = t=$$(mktemp -d) && trap 'rm -rf "$$t"' EXIT && podman save --format docker-archive -o "$$t/image.tar" $(1) && \
            kind load image-archive "$$t/image.tar" --name $(KIND_CLUSTER)
else
KIND_LOAD = kind load docker-image $(1) --name $(KIND_CLUSTER)
endif
# The node image hack/kind/build makes offline (kind's default one comes from a registry); empty = kind's default.
KIND_NODE_IMAGE ?= $(shell $(ENGINE) image inspect --format '{{index .RepoTags 0}}' kindest/node:$$(. hack/k8s/versions.env; echo $$K8S_VERSION) 2>/dev/null)
SCENARIOS    ?= $(shell node bin/holistic.js list 2>/dev/null | cut -d' ' -f1)
TARGET       ?= auto

.PHONY: help setup test bench bench-deps build load images cluster-up cluster-down local-cluster-up local-cluster-down scenarios clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

setup: ## install the Node dependencies (the Python side is set up on first run)
	npm ci

test: ## run the test suite (what .ci/run runs)
	npm test

bench: bench-deps ## harness overhead and profile-reader speed (ratios, same run)
	npm run bench

bench-deps: ## inferno-flamegraph, to draw the SVGs the reader benchmark reads
	@test -x $(HOME)/.cache/holistic/inferno/bin/inferno-flamegraph || \
		cargo install inferno --locked --version 0.12.8 --root $(HOME)/.cache/holistic/inferno

build: ## build the debug-tools image (docker or podman)
	hack/images/async-profiler --context >/dev/null   # the JVM agent tools.dockerfile COPYs (Maven Central)
	$(ENGINE) build $(CA_SECRET) -t $(TOOLS_IMAGE) -f tools.dockerfile .

load: build ## build and load the debug-tools image into kind (KIND_CLUSTER)
	$(call KIND_LOAD,$(TOOLS_IMAGE))

images: ## offline: stand-in base images from Debian packages, then bad-app and debug-tools (podman)
	hack/images/build

cluster-up: ## create the kind cluster from kind-config.yaml (reused if it exists)
	kind get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' || kind create cluster --name $(KIND_CLUSTER) --config kind-config.yaml $(if $(KIND_NODE_IMAGE),--image $(KIND_NODE_IMAGE))

cluster-down: ## delete the kind cluster
	kind delete cluster --name $(KIND_CLUSTER)

local-cluster-up: ## the test suite's own single-node Kubernetes, built from source (see docs/local-cluster.md)
	hack/local-cluster/up

local-cluster-down: ## stop it and remove its state
	hack/local-cluster/down

scenarios: ## run every scenario on TARGET (default auto)
	@set -e; for s in $(SCENARIOS); do node bin/holistic.js run $$s --target $(TARGET); done

clean: ## remove reports
	find reports -mindepth 1 -not -name .gitkeep -exec rm -rf {} +
