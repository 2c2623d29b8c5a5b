# DreamBooth from first principles, in Swift — the front door.
#
#   make                 install missing system packages, build (release), run every chapter
#   make test            build and run the tests (release build; the chapters run in --quick mode); first
#                        checks that every Swift file is as `make format` writes it
#   make format          format every Swift file with swift-format (.swift-format: 120 columns, one statement a line)
#   make chapter N=01    run one chapter; its figures land in Figures/01-*/ (FROM_SCRATCH=1: as for figures)
#   make figures         regenerate every chapter's figures into Figures/ (chapters 06–08 from the shipped
#                        results of their fine-tuning runs, Results/experiments/): about 6.5 minutes with the
#                        build; FROM_SCRATCH=1 retrains and re-evaluates every run (about 40 minutes on 2
#                        cores) and ships the results anew
#   make book            the chapters as a static HTML book in book/ (open book/index.html)
#   make pretrain        retrain the shipped models in Checkpoints/ from scratch: tokenizer and text encoder
#                        beside the autoencoder, then the base UNet on its latents (the judges that measure
#                        them are kept; see make judges); RESUME=1 keeps finished stages and resumes the
#                        autoencoder and the UNet from their last training states (.pretrain/)
#   make judges          retrain the three judges (attribute, CLIP, DINO) in Checkpoints/judges: the rulers,
#                        trained from the world alone, about 30 minutes (the attribute judge 20.5 of them beside another run)
#   make evaluate        measure the base model with the judges (Checkpoints/base-training/quality.json)
#   make dreambooth      DreamBooth end to end on a built-in subject (SUBJECT=split-ball NOUN=ball), a drawing
#                        of your own (SPRITE=robot.png NOUN=box) or a folder of photos (SUBJECT_DIR=DIR NOUN=cup):
#                        instance images, class images, the trainer's defaults with prior preservation, samples
#   make dreambooth-lora the same with LoRA (RANK=8): pytorch_lora_weights.safetensors, as train_dreambooth_lora.py
#   make textual-inversion  the paper's baseline on the same subject: one learned token embedding
#   make fuzz            build the libFuzzer harnesses (Fuzz/) with ASan and run each RUNS times (default 10^6)
#   make bench           benchmarks: GEMM and op speed against the machine's FMA peak; UNet train step
#   make deps            install libpng-dev, gnuplot-nox and chromium (the book's browser test) with apt-get when missing
#   make clean           remove build products

SWIFT      ?= swift
BUILD_DIR  := .build/release
CHAPTERS   := $(sort $(notdir $(wildcard Chapters/[0-9][0-9]-* Chapters/[0-9][0-9][a-z]-*)))
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)


.PHONY: all build test format format-check chapter figures book pretrain evaluate dreambooth dreambooth-lora textual-inversion fuzz bench bench-compare deps clean judges

all: deps build figures book

build: deps
	$(SWIFT) build -c release

test: deps format-check
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build --disable-swift-testing

format:
	$(SWIFT) format format --in-place --parallel --recursive Sources Tools Chapters Tests Fuzz Package.swift

format-check:
	@scripts/check-format.sh

chapter: build
	@test -n "$(N)" || { echo "usage: make chapter N=01 (chapters: $(CHAPTERS))"; exit 2; }
	@dir=$$(ls -d Chapters/$(N)-* 2>/dev/null | head -1); \
	  test -n "$$dir" || { echo "no chapter $(N); chapters: $(CHAPTERS)"; exit 2; }; \
	  echo "== $$dir: $(ABOUT_$(N))"; $(BUILD_DIR)/chapter$(N) --out Figures/$$(basename $$dir) $(if $(FROM_SCRATCH),--from-scratch)

# What each chapter does and how long it takes here (a fresh clone, 2 cores, release build), printed
# before it runs. Chapters 06–08 read their fine-tuning runs' shipped results; FROM_SCRATCH=1 trains them.
ABOUT_00  := the tensor core: GEMM from a triple loop to the library's kernel, timed (about 4 s)
ABOUT_01  := forward diffusion: schedules and q(x_t | x) (about 1 s)
ABOUT_02  := the loss: ε-, v- and x0-prediction; a 2-D denoiser trained each way (about 25 s)
ABOUT_03  := the UNet piece by piece, against diffusers (about 5 s)
ABOUT_04  := the world, the tokenizer, the text encoder and the judges (about 5 s)
ABOUT_04a := the autoencoder: reconstructions, latents, three short KL-weight runs (about 3.5 min)
ABOUT_05  := the base model: accuracy, samplers, guidance, held-out prompts (about 30 s)
ABOUT_06  := rare-token identifiers, three DreamBooth runs (about 5 s; FROM_SCRATCH=1: about 6 min)
ABOUT_07  := prior preservation, four runs and the λ sweep (about 2 s; FROM_SCRATCH=1: about 5 min)
ABOUT_07a := LoRA: layers, rank, two subjects on one base (about 5 s; FROM_SCRATCH=1: about 10 min)
ABOUT_08  := every subject, the paper's tables (about 6 s; FROM_SCRATCH=1: about 21 min)
number = $(firstword $(subst -, ,$(1)))
SHIPPED_RESULTS := Results/experiments
figures: build
	$(if $(FROM_SCRATCH),rm -rf $(SHIPPED_RESULTS))
	@$(foreach c,$(CHAPTERS),echo "== $(c): $(ABOUT_$(call number,$(c)))" && \
	  $(BUILD_DIR)/chapter$(call number,$(c)) --out Figures/$(c) $(if $(FROM_SCRATCH),--from-scratch) &&) true

pretrain: build
	$(BUILD_DIR)/dreambooth pretrain --out Checkpoints $(if $(RESUME),,--force)

judges: build
	$(BUILD_DIR)/dreambooth pretrain --stage judges --out Checkpoints --force

evaluate: build
	$(BUILD_DIR)/dreambooth evaluate-base --report Checkpoints/base-training/quality.json

SUBJECT ?= split-ball
NOUN    ?= ball
# A subject of your own: SPRITE=drawing.png NOUN=ball places an RGBA drawing in four of the world's
# contexts (dreambooth world --sprite); SUBJECT_DIR=DIR trains on a folder of photos you already have.
SUBJECT_NAME := $(if $(SPRITE),$(basename $(notdir $(SPRITE))),$(if $(SUBJECT_DIR),$(notdir $(patsubst %/,%,$(SUBJECT_DIR))),$(SUBJECT)))
PHOTOS := $(if $(SUBJECT_DIR),$(SUBJECT_DIR),dreambooth-data/$(SUBJECT_NAME))
dreambooth: build
	$(if $(SUBJECT_DIR),,$(BUILD_DIR)/dreambooth world $(if $(SPRITE),--sprite $(SPRITE) --noun $(NOUN),--subject $(SUBJECT)) --count 4 --out $(PHOTOS))
	$(BUILD_DIR)/dreambooth train --instance_data_dir $(PHOTOS) --instance_prompt "a sks $(NOUN)" \
	  --class_prompt "a $(NOUN)" --class_data_dir dreambooth-data/class-$(NOUN) --with_prior_preservation \
	  --output_dir dreambooth-output/$(SUBJECT_NAME)
	$(BUILD_DIR)/dreambooth sample --model dreambooth-output/$(SUBJECT_NAME) --prompt "a sks $(NOUN) at night" --num_images 8 \
	  --num_inference_steps 25 --scheduler ddpm --out dreambooth-output/$(SUBJECT_NAME)/samples-night

# The book: every chapter's page from its own source, its figures from Figures/ (a chapter whose
# source is newer than its figures is rerun first), in book/ — open book/index.html.
book: build
	@$(foreach c,$(CHAPTERS),newest=$$(ls -t Figures/$(c)/*.png 2>/dev/null | head -1); \
	  if [ -z "$$newest" ] || [ Chapters/$(c)/main.swift -nt "$$newest" ]; then \
	    echo "== $(c): figures out of date, rerunning it first: $(ABOUT_$(call number,$(c)))"; \
	    $(BUILD_DIR)/chapter$(call number,$(c)) --out Figures/$(c) || exit 1; fi; ) true
	$(BUILD_DIR)/book --out book

RUNS ?= 1000000
fuzz: deps
	scripts/fuzz.sh $(RUNS)

# The same subject with LoRA (train_dreambooth_lora.py): rank-8 adapters on the attention projections and
# the convolutions (the trainer's --lora_layers default), a file of about 1.3 MB, and the identifier's
# embedding beside it (pivotal tuning, learned_embeds.safetensors; `sample --lora` reads both).
RANK ?= 8
dreambooth-lora: build
	$(BUILD_DIR)/dreambooth world --subject $(SUBJECT) --count 4 --out dreambooth-data/$(SUBJECT)
	$(BUILD_DIR)/dreambooth train --rank $(RANK) --instance_data_dir dreambooth-data/$(SUBJECT) --instance_prompt "a sks $(NOUN)" \
	  --class_prompt "a $(NOUN)" --class_data_dir dreambooth-data/class-$(NOUN) --with_prior_preservation \
	  --output_dir dreambooth-output/$(SUBJECT)-lora
	$(BUILD_DIR)/dreambooth sample --lora dreambooth-output/$(SUBJECT)-lora/pytorch_lora_weights.safetensors \
	  --prompt "a sks $(NOUN) at night" --num_images 8 --num_inference_steps 25 --scheduler ddpm --out dreambooth-output/$(SUBJECT)-lora/samples-night

# The paper's baseline on the same subject: one token embedding (textual_inversion.py).
textual-inversion: build
	$(BUILD_DIR)/dreambooth world --subject $(SUBJECT) --count 4 --out dreambooth-data/$(SUBJECT)
	$(BUILD_DIR)/dreambooth textual-inversion --train_data_dir dreambooth-data/$(SUBJECT) --placeholder_token sks \
	  --initializer_token $(NOUN) --validation_prompt "a sks in snow" --output_dir textual-inversion-output/$(SUBJECT)
	$(BUILD_DIR)/dreambooth sample --model textual-inversion-output/$(SUBJECT) --prompt "a sks at night" --num_images 8 \
	  --num_inference_steps 25 --scheduler ddpm --out textual-inversion-output/$(SUBJECT)/samples-night

bench: build
	$(BUILD_DIR)/bench gemm
	$(BUILD_DIR)/bench ops
	$(BUILD_DIR)/bench threads
	$(BUILD_DIR)/bench unet --config Tests/Fixtures/unet-bench.json --batch 16

# Our jobs beside diffusers' on the same model (scripts/bench_compare_with_diffusers.py): a DreamBooth
# run against train_dreambooth.py, sampling against StableDiffusionPipeline, a pretraining step against
# diffusers' UNet. PYTHON: a virtual environment with torch, diffusers, transformers, accelerate and
# torchvision; TRAIN_DREAMBOOTH: diffusers' examples/dreambooth/train_dreambooth.py.
bench-compare: build
	@test -n "$(PYTHON)" || { echo "bench-compare: set PYTHON=/path/to/venv/bin/python (torch, diffusers, …)"; exit 2; }
	$(PYTHON) scripts/bench_compare_with_diffusers.py $(if $(TRAIN_DREAMBOOTH),--train_dreambooth $(TRAIN_DREAMBOOTH),--jobs sampling,pretraining) $(if $(ROUNDS),--rounds $(ROUNDS))

deps:
	@missing=""; \
	  if [ "$$(uname)" = Darwin ]; then \
	    command -v gnuplot >/dev/null || missing="$$missing gnuplot"; \
	    pkg-config --exists libpng 2>/dev/null || missing="$$missing libpng"; \
	    if [ -n "$$missing" ]; then echo "Install with Homebrew: brew install$$missing"; exit 1; fi; \
	  else \
	    dpkg -s libpng-dev >/dev/null 2>&1 || missing="$$missing libpng-dev"; \
	    command -v gnuplot >/dev/null || missing="$$missing gnuplot-nox"; \
	    command -v chromium >/dev/null || missing="$$missing chromium"; \
	    if [ -n "$$missing" ]; then \
	      echo "Installing:$$missing"; \
	      $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null || exit 1; \
	    fi; \
	  fi

clean:
	rm -rf .build
