namespace MuSharp;

/// <summary>
/// Reverse-mode autodiff. Each op records its inputs and a backward closure on its output
/// (see <see cref="Record"/>); <see cref="Backward(Tensor)"/> orders the graph topologically and runs the
/// closures in reverse, each adding its contribution into its parents' <see cref="Tensor.Grad"/>.
/// </summary>
public static class Tape
{
    [ThreadStatic] private static int noGradDepth;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope.</summary>
    public static bool Enabled => noGradDepth == 0;

    /// <summary>Within the returned scope, ops record nothing (evaluation, optimizer updates).</summary>
    public static IDisposable NoGrad()
    {
        noGradDepth++;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            noGradDepth--;
        }
    }

    private static readonly AsyncLocal<bool> ReuseScope = new();

    // True inside a ReuseActivations scope: op outputs come from ActivationPool.
    internal static bool Reusing => ReuseScope.Value;

    /// <summary>
    /// Within the returned scope, op outputs are drawn from a pool, and <see cref="Backward(Tensor)"/> returns every
    /// intermediate output of the graph to it when it frees the graph, so the next step reuses the same memory.
    /// Only for code that reads no intermediate tensor after its Backward (the loss, the root, stays valid; a logits
    /// tensor or the taps of <c>Gpt.Forward</c> kept past the backward would be overwritten by the next step). A training
    /// step wraps its forward and backward:
    /// <code>
    /// using (Tape.ReuseActivations()) { var loss = model.Loss(x, y); loss.Backward(); }
    /// </code>
    /// </summary>
    public static IDisposable ReuseActivations()
    {
        bool previous = ReuseScope.Value;
        ReuseScope.Value = true;
        return new ReuseRestore(previous);
    }

    private sealed class ReuseRestore(bool previous) : IDisposable
    {
        private bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            ReuseScope.Value = previous;
        }
    }

    /// <summary>Whether an op on these inputs must be recorded.</summary>
    public static bool Needs(Tensor a) => Enabled && a.RequiresGrad;
    public static bool Needs(Tensor a, Tensor b) => Enabled && (a.RequiresGrad || b.RequiresGrad);
    public static bool Needs(Tensor[] inputs)
    {
        if (!Enabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Attaches <paramref name="backward"/> to <paramref name="output"/> when any parent requires grad.
    /// The closure reads <c>output.Grad</c> and accumulates into each parent that requires grad.
    /// </summary>
    public static Tensor Record(Tensor output, Action backward, params Tensor[] parents)
    {
        if (Diagnostics.OpClock.On) Diagnostics.OpClock.Charge(Diagnostics.OpClock.OpName(backward));
        if (!Needs(parents)) return output;
        output.RequiresGrad = true;
        output.Parents = parents;
        output.BackwardFn = backward;
        return output;
    }

    public static void Backward(Tensor root)
    {
        if (root.Size != 1)
            throw new InvalidOperationException($"Backward: root must have one element, got shape {Shapes.Format(root.Shape)}; reduce it (Sum/Mean) first.");
        Backward(root, [1f]);
    }

    /// <summary>Back-propagates a given output gradient (a vector-Jacobian product from <paramref name="root"/>).</summary>
    public static void Backward(Tensor root, float[] gradOutput)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the root does not depend on any tensor with RequiresGrad.");
        if (gradOutput.Length != root.Size)
            throw new ArgumentException($"Backward: gradient length {gradOutput.Length} does not match root shape {Shapes.Format(root.Shape)}.");
        var order = TopologicalOrder(root);
        var g = root.GradBuffer();
        for (int i = 0; i < g.Length; i++) g[i] += gradOutput[i];
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (t.BackwardFn == null || t.Grad == null) continue;
            if (Diagnostics.OpClock.On) TimedBackward(t.BackwardFn);
            else t.BackwardFn();
            // An intermediate's gradient is consumed once its op has pushed it to the parents; keep only the root's
            // and the leaves' (parameters, inputs).
            if (t != root)
            {
                GradPool.Return(t.Grad);
                t.Grad = null;
            }
        }
        // Free the graph: intermediate closures hold activations alive otherwise. Intermediates' outputs drawn from the
        // activation pool go back to it (the pool ignores buffers it did not hand out: leaves', plain allocations).
        foreach (var t in order)
        {
            if (t.BackwardFn == null) continue;
            t.BackwardFn = null;
            t.Parents = [];
            if (t != root && !ReferenceEquals(t.Data, root.Data)) ActivationPool.Return(t.Data);
        }
    }

    // The step ledger's view of one closure: what ran before it (sorting, pooling) is autodiff bookkeeping.
    private static void TimedBackward(Action backward)
    {
        Diagnostics.OpClock.Charge("autodiff bookkeeping");
        backward();
        Diagnostics.OpClock.Charge(Diagnostics.OpClock.OpName(backward));
    }

    // Iterative DFS post-order, so deep graphs (long training sequences) do not overflow the stack.
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor node, int next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Parents.Length)
            {
                stack.Push((node, next + 1));
                var p = node.Parents[next];
                if (p.RequiresGrad && visited.Add(p)) stack.Push((p, 0));
            }
            else order.Add(node);
        }
        return order;
    }
}
