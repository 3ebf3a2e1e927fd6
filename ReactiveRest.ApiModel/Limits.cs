namespace ReactiveRest.ApiModel;

public static class Limits
{
    public const int NameLength = 200;
    public const int TitleLength = 500;
    public const int CommentLength = 2000;

    /// <summary>As long as a user name from a token may be (an OIDC subject is at most 255 ASCII characters).</summary>
    public const int UserNameLength = Engine.Security.Users.MaxLength;

    /// <summary>Leaves room for "one past the last" without overflowing.</summary>
    public const int Position = 1_000_000_000;

    /// <summary>The mapped resources' limit (413 beyond it), so the members endpoints and forms refuse the same sizes.</summary>
    public const long BodyBytes = Engine.Http.ResourceApi.MaxBodyBytes;
}
