// swift-tools-version:6.0
// DreamBooth from first principles, in Swift.
// Libraries under Sources/, one executable per chapter under Chapters/, tools, tests.
import PackageDescription

// Kernels must compile for the CPU they run on: without a target CPU, SIMD16<Float>.addProduct
// becomes 16 calls to fmaf (about 1 GFLOP/s, measured). `native` picks AVX-512 here and whatever the
// building machine has elsewhere, so a build on a CPU without AVX-512 still works.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-enforce-exclusivity=unchecked"], .when(platforms: [.linux])),
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(platforms: [.macOS])),
]

func chapter(_ name: String, _ folder: String, _ deps: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: deps, path: "Chapters/\(folder)", swiftSettings: kernelFlags)
}

let package = Package(
    name: "DreamBooth",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .executable(name: "dreambooth", targets: ["dreambooth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(
            name: "CLibPNG", path: "Sources/CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),

        // MARK: - Libraries
        .target(name: "TensorCore", swiftSettings: kernelFlags),
        .target(name: "ImageIO", dependencies: ["CLibPNG", "TensorCore"], swiftSettings: kernelFlags),
        .target(name: "Plotting", dependencies: ["ImageIO", "TensorCore"]),
        .target(name: "Diffusion", dependencies: ["TensorCore"], swiftSettings: kernelFlags),
        .target(name: "Models", dependencies: ["TensorCore", "Diffusion"], swiftSettings: kernelFlags),
        .target(name: "ToyWorld", dependencies: ["TensorCore", "ImageIO"], swiftSettings: kernelFlags),
        .target(
            name: "Evaluation", dependencies: ["TensorCore", "Diffusion", "Models", "ToyWorld"],
            swiftSettings: kernelFlags),
        .target(
            name: "Pretraining",
            dependencies: ["TensorCore", "Diffusion", "Models", "ToyWorld", "Evaluation", "ImageIO"],
            swiftSettings: kernelFlags),
        .target(
            name: "DreamBooth", dependencies: ["TensorCore", "Diffusion", "Models", "ImageIO", "Plotting", "ToyWorld"],
            swiftSettings: kernelFlags),
        .target(
            name: "Experiments",
            dependencies: ["TensorCore", "Models", "ToyWorld", "ImageIO", "Evaluation", "DreamBooth"],
            swiftSettings: kernelFlags),
        .target(
            name: "ChapterSupport",
            dependencies: [
                "TensorCore", "ImageIO", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: - Chapters (one executable each; `make chapter N=01`)
        chapter("chapter00", "00-tensor-core", ["TensorCore", "Plotting", "ChapterSupport"]),
        chapter(
            "chapter01", "01-forward-diffusion",
            ["TensorCore", "Diffusion", "ImageIO", "Plotting", "ToyWorld", "ChapterSupport"]),
        chapter("chapter02", "02-loss", ["TensorCore", "Diffusion", "Plotting", "ChapterSupport"]),
        chapter("chapter03", "03-unet", ["TensorCore", "Diffusion", "Models", "Plotting", "ChapterSupport"]),
        chapter(
            "chapter04", "04-text-conditioning",
            ["TensorCore", "Models", "ToyWorld", "Evaluation", "Pretraining", "ImageIO", "Plotting", "ChapterSupport"]),
        chapter(
            "chapter04a", "04a-autoencoder",
            ["TensorCore", "Models", "ToyWorld", "Evaluation", "Pretraining", "ImageIO", "Plotting", "ChapterSupport"]),
        chapter(
            "chapter05", "05-base-model",
            [
                "TensorCore", "Diffusion", "Models", "ToyWorld", "Evaluation", "Pretraining", "ImageIO", "Plotting",
                "ChapterSupport",
            ]),
        chapter(
            "chapter06", "06-rare-identifiers",
            [
                "TensorCore", "Models", "ToyWorld", "Evaluation", "Pretraining", "DreamBooth", "Experiments", "ImageIO",
                "Plotting", "ChapterSupport",
            ]),
        chapter(
            "chapter07", "07-prior-preservation",
            [
                "TensorCore", "Models", "ToyWorld", "Evaluation", "DreamBooth", "Experiments", "ImageIO", "Plotting",
                "ChapterSupport",
            ]),
        chapter(
            "chapter07a", "07a-lora",
            [
                "TensorCore", "Models", "ToyWorld", "Evaluation", "Pretraining", "DreamBooth", "Experiments", "ImageIO",
                "Plotting", "ChapterSupport",
            ]),
        chapter(
            "chapter08", "08-evaluation",
            [
                "TensorCore", "Models", "ToyWorld", "Evaluation", "DreamBooth", "Experiments", "ImageIO", "Plotting",
                "ChapterSupport",
            ]),

        // MARK: - Tools
        .executableTarget(
            name: "dreambooth",
            dependencies: [
                "TensorCore", "Diffusion", "Models", "ToyWorld", "ImageIO", "Evaluation", "Pretraining", "DreamBooth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/dreambooth", swiftSettings: kernelFlags),
        .executableTarget(
            name: "book", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/book"),
        .executableTarget(
            name: "bench",
            dependencies: ["TensorCore", "Models", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/bench", swiftSettings: kernelFlags),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO", "TensorCore", "TestSupport"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "ImageIO", "TensorCore", "TestSupport"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "TensorCore", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TensorCore", "ToyWorld", "TestSupport"]),
        .testTarget(name: "ToyWorldTests", dependencies: ["ToyWorld", "TensorCore", "TestSupport"]),
        .testTarget(
            name: "EvaluationTests", dependencies: ["Evaluation", "Models", "ToyWorld", "TensorCore", "TestSupport"]),
        .testTarget(
            name: "PretrainingTests",
            dependencies: [
                "Pretraining", "DreamBooth", "Evaluation", "Models", "ToyWorld", "TensorCore", "TestSupport",
            ]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "DreamBooth", "Evaluation", "TensorCore", "TestSupport"]),
        .testTarget(name: "ChapterTests", dependencies: ["TestSupport", "TensorCore", "ImageIO"]),
    ],
    swiftLanguageModes: [.v5]
)
