namespace MuSharp.Nn;

/// <summary>A network piece that lists its parameters explicitly (no reflection).</summary>
public abstract class Module
{
    public abstract IEnumerable<Parameter> Parameters();

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    public long ParameterCount() => Parameters().Sum(p => (long)p.Size);
}
