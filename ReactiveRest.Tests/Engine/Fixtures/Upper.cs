namespace ReactiveRest.Tests.Engine.Fixtures.Upper;

// The other half of DependencyTests' deliberate cycle: Lower is named only inside a lambda, so only the IL shows it.
public sealed class UsesInBody
{
    public Func<object> Make { get; } = () => new Lower.Target();
}
