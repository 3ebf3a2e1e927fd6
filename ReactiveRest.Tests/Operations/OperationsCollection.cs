namespace ReactiveRest.Tests.Operations;

/// <summary>The operability tests share one fresh stack: each looks at a different side of the same first start.</summary>
[CollectionDefinition(nameof(OperationsCollection))]
public sealed class OperationsCollection : ICollectionFixture<OperationsStack>;
