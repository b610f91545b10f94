# brainview: `make demo` and `make test` on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

# Debian packages: Mesa OpenGL/EGL for off-screen rendering, Xvfb and the xcb
# libraries Qt's xcb platform plugin loads, for the desktop-app tests, and
# Chromium, which opens the exported HTML headless (tests/test_html.py).
SYSTEM_PACKAGES := libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 xvfb chromium \
	libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 libxcb-xinput0 libxcb-cursor0 \
	libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0

.PHONY: install demo test test-unit test-gui system-deps benchmark docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) -m brainview.demo --output demo.png

system-deps:
	@missing="$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing system packages:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing system packages. Run:"; \
			echo "  sudo apt-get install -y" $$missing; \
			exit 1; \
		fi; \
	fi

# Unit, rendering and example tests run with no display (VTK uses EGL); the
# desktop-app tests run under Xvfb, which Qt needs for an OpenGL context.
test: install system-deps
	env -u DISPLAY $(PY) -m pytest -q -m "not gui"
	xvfb-run -a -s "-screen 0 1280x1024x24" $(PY) -m pytest -q -m gui

benchmark: install
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) scripts/benchmark.py

# The Sphinx site (API reference + gallery of scripts/plot_*.py), offline, into docs/_build/html.
# docs/conf.py writes .brainview-build-complete only once every page is written: a gallery
# example raising SystemExit stops Sphinx early with status 0 and no pages.
docs: install
	$(PY) -m pip install --quiet -e ".[docs]"
	rm -f docs/_build/html/.brainview-build-complete
	env -u DISPLAY $(PY) -m sphinx -b html -q docs docs/_build/html
	@test -f docs/_build/html/.brainview-build-complete || \
		{ echo "make docs: Sphinx stopped before writing every page (a gallery example ending in SystemExit?)" >&2; exit 1; }
	@echo "Open docs/_build/html/index.html"

clean:
	rm -rf $(VENV) demo.png docs/_build docs/generated docs/auto_examples
