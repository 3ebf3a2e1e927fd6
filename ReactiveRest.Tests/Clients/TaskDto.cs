namespace ReactiveRest.Tests.Clients;

/// <summary>A task as a .NET client application declares it, independently of the API's entity.</summary>
public sealed record TaskDto(int Id, int BoardId, string Title, bool Done, int Position, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
