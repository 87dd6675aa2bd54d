"""`ogi users add --agency … --role … --name …`: a local account for the console (embedded
mode), its password asked twice on the terminal (or read from standard input with
--password-stdin) and kept as an argon2 hash in OGI_CONSOLE_ACCOUNTS_FILE (default
data/console-accounts.json). Adding a name again replaces its password, agency and roles."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ogi.accounts import AccountError, LocalAccounts, accounts_file
from ogi.agencies import AgencyDirectory
from ogi.auth import Role
from ogi.config import load_settings


def add_parser(sub: Any) -> None:
    users = sub.add_parser("users", help="控制台账号 local accounts of the console")
    actions = users.add_subparsers(required=True)
    add = actions.add_parser("add", help="开设或更新账号 add or update an account")
    add.set_defaults(local=_add)
    add.add_argument("--agency", required=True, help="agency code, see `ogi agencies`")
    add.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    add.add_argument("--name", required=True, help="the name the person signs in with")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def _add(args: argparse.Namespace) -> None:
    from ogi.cli.main import CommandError  # the CLI's error, printed as the others are

    agencies = AgencyDirectory.from_file(load_settings("cli").agencies_file)
    if agencies.get(args.agency) is None:
        raise CommandError(
            f"机关目录中没有 {args.agency}（{args.agency} is not in the agency directory）"
        )
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码 password: ")
        if getpass.getpass("再输一次 again: ") != password:
            raise CommandError("两次输入的密码不一致（the passwords differ）")
    path = accounts_file()
    try:
        LocalAccounts(path).add(args.name, args.agency, frozenset(map(Role, args.role)), password)
    except AccountError as error:
        raise CommandError(str(error)) from error
    print(f"已开设账号 {args.name}（{args.agency}，{', '.join(args.role)}）：{path}")
