using System.Security.Claims;
using System.Text.RegularExpressions;

namespace ReactiveRest.Engine.Security;

/// <summary>Who a request runs as: the user claim of its token.</summary>
public static partial class Users
{
    /// <summary>
    /// The authenticated user's name (the token's <see cref="AuthOptions.UserClaim"/>, which authentication makes the
    /// identity's name); endpoints that call it require an authenticated user.
    /// </summary>
    public static string Of(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : throw new InvalidOperationException("The request has no authenticated user; the endpoint must require authorization.");

    /// <summary>A principal that holds the user's name and nothing else, with <paramref name="userClaim"/> as its name claim.</summary>
    public static ClaimsPrincipal PrincipalFor(string name, string userClaim, string? authenticationType) =>
        new(new ClaimsIdentity([new Claim(userClaim, name)], authenticationType, userClaim, ClaimsIdentity.DefaultRoleClaimType));

    public const string Rule = "1 to 64 characters of [A-Za-z0-9_.@-]";

    /// <summary>The longest user name a token may carry (an OIDC subject is at most 255 ASCII characters).</summary>
    public const int MaxLength = 255;

    /// <summary>The names the development token endpoint and the members API accept.</summary>
    public static bool IsValidName(string? name) => name is not null && Pattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"\A[A-Za-z0-9_.@-]{1,64}\z")]
    private static partial Regex Pattern();
}
