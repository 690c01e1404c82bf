namespace MuSharp.Data;

/// <summary>The two splits of Fashion-MNIST: 60,000 training and 10,000 test images.</summary>
public sealed record FashionMnistData(LabeledSet Train, LabeledSet Test);

/// <summary>
/// Fashion-MNIST (Zalando, MIT): 28×28 greyscale images of 10 clothing classes. Images load as
/// [N, 784] floats in [0, 1] (pixel / 255), labels as ints in [0, 10).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable naming a folder that holds the four IDX files.</summary>
    public const string DirectoryVariable = "MUSHARP_FASHION_MNIST_DIR";

    public const string Package = "dataset-fashion-mnist";
    public const int Rows = 28;
    public const int Cols = 28;
    public const int Pixels = Rows * Cols;
    public const int ClassCount = 10;

    /// <summary>The default validation size cut off the training split.</summary>
    public const int DefaultValidationCount = 5000;

    /// <summary>Class names by label id.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Loads both splits from <paramref name="directory"/>, else <c>$MUSHARP_FASHION_MNIST_DIR</c>, else
    /// <see cref="DefaultDirectory"/>. Each file may be gzip-compressed (<c>name.gz</c>) or raw (<c>name</c>).
    /// An explicit directory or variable is used alone: a missing file there is an error, not a fallback.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">A file is missing in the chosen folder.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or images and labels disagree.</exception>
    public static FashionMnistData Load(string? directory = null)
    {
        string dir = ResolveDirectory(directory);
        var paths = FileNames.Select(name => FindFile(dir, name)).ToArray();
        return new FashionMnistData(LoadSplit(paths[0], paths[1]), LoadSplit(paths[2], paths[3]));
    }

    /// <summary>True when the four files can be found (with the same rules as <see cref="Load"/>).</summary>
    public static bool IsAvailable(string? directory = null)
    {
        string dir = ResolveDirectory(directory);
        return FileNames.All(name => TryFindFile(dir, name) != null);
    }

    /// <summary>
    /// Training and validation sets cut from the training split: the last <paramref name="validationCount"/>
    /// images without a seed, or a seeded random subset (see <see cref="LabeledSet.SplitValidation"/>).
    /// </summary>
    public static (LabeledSet Train, LabeledSet Validation) SplitValidation(
        FashionMnistData data, int validationCount = DefaultValidationCount, ulong? seed = null) =>
        data.Train.SplitValidation(validationCount, seed);

    private static string ResolveDirectory(string? directory)
    {
        if (!string.IsNullOrEmpty(directory)) return directory;
        string? fromEnv = Environment.GetEnvironmentVariable(DirectoryVariable);
        return string.IsNullOrEmpty(fromEnv) ? DefaultDirectory : fromEnv;
    }

    private static string? TryFindFile(string dir, string name)
    {
        foreach (string candidate in (string[])[Path.Combine(dir, name + ".gz"), Path.Combine(dir, name)])
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    private static string FindFile(string dir, string name) =>
        TryFindFile(dir, name)
        ?? throw DatasetNotFoundException.Debian("Fashion-MNIST", [Path.Combine(dir, name + ".gz")], Package, DirectoryVariable);

    private static LabeledSet LoadSplit(string imagesPath, string labelsPath)
    {
        var images = Idx.ReadImages(imagesPath);
        byte[] labels = Idx.ReadLabels(labelsPath);
        if (images.Rows != Rows || images.Cols != Cols)
            throw new InvalidDataException($"IDX file {imagesPath}: images are {images.Rows}×{images.Cols}, expected {Rows}×{Cols}.");
        if (labels.Length != images.Count)
            throw new InvalidDataException($"Fashion-MNIST: count mismatch, {images.Count} images in {imagesPath} but {labels.Length} labels in {labelsPath}.");

        var features = new float[images.Pixels.Length];
        for (int i = 0; i < features.Length; i++) features[i] = images.Pixels[i] / 255f;
        var ids = new int[labels.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            if (labels[i] >= ClassCount)
                throw new InvalidDataException($"IDX file {labelsPath}: label {labels[i]} at index {i} is outside [0, {ClassCount}).");
            ids[i] = labels[i];
        }
        return new LabeledSet(features, Pixels, ids, ClassCount);
    }
}
