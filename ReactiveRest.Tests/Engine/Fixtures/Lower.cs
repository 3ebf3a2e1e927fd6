using ReactiveRest.Tests.Engine.Fixtures.Upper;

namespace ReactiveRest.Tests.Engine.Fixtures.Lower;

// Half of a deliberate cycle for DependencyTests: this side is visible in a signature.
public sealed class Target
{
    public UsesInBody? Back { get; init; }
}
