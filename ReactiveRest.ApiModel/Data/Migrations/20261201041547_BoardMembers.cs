using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReactiveRest.ApiModel.Data.Migrations
{
    /// <summary>
    /// Boards get members (who may see and change them). Their changes are captured like any table's: a change of
    /// membership re-evaluates that user's observers. Boards created before this migration have no member.
    /// </summary>
    public partial class BoardMembers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "board_members",
                columns: table => new
                {
                    board_id = table.Column<int>(type: "integer", nullable: false),
                    user_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_board_members", x => new { x.board_id, x.user_name });
                    table.ForeignKey(
                        name: "FK_board_members_boards_board_id",
                        column: x => x.board_id,
                        principalTable: "boards",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_board_members_user_name",
                table: "board_members",
                column: "user_name");

            migrationBuilder.Sql(Engine.Changes.ChangeCapture.TriggerSql("board_members"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.DropTriggerSql("board_members"));
            migrationBuilder.DropTable(
                name: "board_members");
        }
    }
}
