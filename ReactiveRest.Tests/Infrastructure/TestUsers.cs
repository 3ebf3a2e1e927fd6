using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// The users tests run as. Every stack of the tests is given <see cref="SigningKey"/> (the AppHost's
/// <c>auth-signing-key</c> parameter), so tests mint their tokens themselves, as an identity provider would; the
/// development token endpoint has tests of its own.
/// </summary>
public static class TestUsers
{
    /// <summary>
    /// The one user every test shares: only for a test about a shared user, or for work outside any test (a fixture's
    /// health checks). A change of a user's board memberships re-evaluates every observer of that user, so a test that
    /// counts evaluations, statistics or messages as the shared user could have its counts bumped by another test.
    /// </summary>
    public const string Shared = "tester";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> PerTest = new();

    /// <summary>
    /// Who a test runs as unless it says otherwise: a user of its own, the same for the whole test (its clients,
    /// subscribers and tokens agree), so no parallel test's writes or membership changes reach its observers. Outside
    /// a test (a fixture starting), <see cref="Shared"/>.
    /// </summary>
    public static string Current => TestContext.Current.Test is { } test ? PerTest.GetOrAdd(test.UniqueID, _ => Unique("t")) : Shared;

    public const string SigningKey = "reactiverest-tests-signing-key-0123456789abcdef";

    public const string ObserverIdSecret = "reactiverest-tests-observer-id-secret-0123456789";

    /// <summary>The AppHost settings that give a stack the keys above, and limits no functional test reaches.</summary>
    public static readonly IReadOnlyList<string> StackSettings =
    [
        $"Parameters:auth-signing-key={SigningKey}",
        $"Parameters:observer-id-secret={ObserverIdSecret}",
        "Reactive:ObservesPerSecondPerUser=100000",
        "Reactive:WritesPerSecondPerUser=100000",
        "Reactive:MaxSocketsPerUser=100000",
        "Reactive:MaxObserversPerUser=1000000",
        "Reactive:MaxSubscribersPerUser=1000000",
        "Reactive:MaxStoredBytesPerUser=1000000000000",
        // A reader paused by a test (BacklogTests) answers no ping; it is dropped by the send timeout (60 s) anyway
        // once its sends back up, so a keep-alive timeout as long adds no way for such a test to fail.
        $"Reactive:KeepAliveTimeout={PausedReaderKeepAliveTimeout}",
    ];

    /// <summary>The stacks' keep-alive timeout: as long as the default send timeout, which bounds a paused reader already.</summary>
    /// <remarks>A constant: the settings above are initialized before any static field declared after them.</remarks>
    public const string PausedReaderKeepAliveTimeout = "00:01:00";

    /// <summary>The same settings for a service hosted in the test process.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServiceSettings = new Dictionary<string, string>
    {
        ["Auth:SigningKey"] = SigningKey,
        ["Reactive:ObserverIdSecret"] = ObserverIdSecret,
        ["Reactive:ObservesPerSecondPerUser"] = "100000",
        ["Reactive:WritesPerSecondPerUser"] = "100000",
        ["Reactive:MaxSocketsPerUser"] = "100000",
        ["Reactive:MaxObserversPerUser"] = "1000000",
        ["Reactive:MaxSubscribersPerUser"] = "1000000",
        ["Reactive:MaxStoredBytesPerUser"] = "1000000000000",
        ["Reactive:KeepAliveTimeout"] = $"{PausedReaderKeepAliveTimeout}",
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Tokens = new();

    /// <summary>A token for <paramref name="user"/>, as the development endpoint issues them.</summary>
    public static string TokenFor(string user) => Tokens.GetOrAdd(user, name => Mint(new Dictionary<string, object> { ["sub"] = name }, expires: DateTime.UtcNow.AddHours(12)));

    /// <summary>Any token: the tests' one way to sign one, right or wrong in whichever way a test needs.</summary>
    public static string Mint(IDictionary<string, object> claims, string key = SigningKey, string issuer = "reactiverest",
        string audience = "reactiverest", DateTime? notBefore = null, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var from = notBefore ?? now.AddMinutes(-1);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = from,
            NotBefore = from,
            Expires = expires ?? now.AddHours(2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Makes <paramref name="client"/> send <paramref name="user"/>'s token; null leaves it anonymous.</summary>
    public static HttpClient As(this HttpClient client, string? user)
    {
        client.DefaultRequestHeaders.Authorization = user is null ? null : new AuthenticationHeaderValue("Bearer", TokenFor(user));
        return client;
    }

    /// <summary>A fresh user name, for a test that needs users of its own.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
}
