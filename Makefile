# The two commands a newcomer needs:
#   make run    install what is missing, build, start the private PostGIS with demo data, serve
#   make test   the same set-up, then the whole suite (normal build, then ASan+UBSan build)
# Both are idempotent: a second run does only what changed.

PINGAN_PORT ?= 8080
export PINGAN_PORT
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all run test deps build build-asan db demo check check-asan bench format lint clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPINGAN_SANITIZE=ON

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)

db: build
	$(BUILD)/pingan db init

demo: db
	$(BUILD)/pingan demo

run: demo
	@echo "Open http://127.0.0.1:$(PINGAN_PORT)/ (Ctrl-C stops the server)"
	exec $(BUILD)/pingan serve --port $(PINGAN_PORT)

check: db
	cd $(BUILD) && ctest --output-on-failure -j2 --timeout 900

check-asan: db build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j2 --timeout 900 -LE nosan

test: check check-asan

bench:
	PINGAN_BENCH_DEPS=1 scripts/install-deps.sh
	@ls bench/*.sh >/dev/null 2>&1 && for b in bench/*.sh; do echo "== $$b"; bash $$b; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint: build
	clang-tidy -p $(BUILD) --quiet $$(git ls-files '*.c')
	cppcheck --enable=warning,performance,portability --error-exitcode=1 --quiet \
	  --suppress=missingIncludeSystem $$(git ls-files '*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
