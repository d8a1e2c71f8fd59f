"""Backups that restore: `parcours backup`, `parcours restore-check`, `parcours restore`.

A backup is a folder `parcours-AAAAMMJJ-HHMMSS/` (0700, files 0600) holding
- `base.dump`: pg_dump of the database, custom format;
- `fichiers.tar`: the private files (uploaded imports, letters, mails, SMS logs: the folders
  `parcours.core.retention` purges), under `imports/`, `courriers/`, `courriels/`, `sms/`;
- `manifest.json`: for every table of the database its row count and a content digest, the
  applied migrations, the size and SHA-256 of every file and of the two artefacts, the time.

Counts and digests are computed in the very snapshot pg_dump dumps (a REPEATABLE READ transaction
exports it, `pg_dump --snapshot` imports it), so they describe the dump exactly while the
application keeps writing. A table's digest is order-free and needs no sort and no memory: the sum,
as two 64-bit halves, of the MD5 of each row's text (`md5(t::text)`), under fixed session
settings (UTC, ISO dates, float digits) so that the source and the restored copy print rows the same.

`restore_check` restores into a throwaway cluster (core/throwaway_cluster.py) and compares;
`restore` restores into a given database, refusing a database whose schema is newer than the
backup's (migrations applied there that the backup does not have) and, without `replace`, a
database that is not empty. Both say in French what differs. See docs/backup.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.utils import timezone
from psycopg import sql

from parcours.core.private_files import open_private, private_directory
from parcours.core.throwaway_cluster import ThrowawayCluster, find_binary

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "base.dump"
FILES = "fichiers.tar"
# Fixed output formats: the row texts digested are the same on the source and on the copy.
SESSION_SETTINGS = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
    "SET extra_float_digits = 1; SET bytea_output = 'hex'"
)
TABLES_SQL = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname
"""
DIGEST_SQL = """
    SELECT count(*),
           coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)::text,
           coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)::text
    FROM (SELECT md5(t::text) AS h FROM {} AS t) AS rows
"""


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why, in French."""


class RestoreRefused(BackupError):
    """The target database may not receive this backup (newer schema, not empty)."""


# -- connections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """libpq connection parameters, the password apart (passed to pg_dump through PGPASSWORD)."""

    conninfo: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        """The database Django uses (`DATABASE_URL`)."""
        from django.db import connections

        config = connections[alias].settings_dict
        if "postgresql" not in config["ENGINE"]:
            raise BackupError(
                "La sauvegarde porte sur une base PostgreSQL : cette installation utilise "
                f"{config['ENGINE'].rsplit('.', 1)[-1]} (DATABASE_URL)."
            )
        return cls._from_config(config)

    @classmethod
    def from_url(cls, url: str) -> Database:
        """A database given by its URL (`postgres://user:password@host:port/name`)."""
        import dj_database_url

        config = dj_database_url.parse(url)
        if "postgresql" not in config["ENGINE"]:
            raise BackupError("L'adresse de la base cible doit être une adresse PostgreSQL (postgres://…).")
        return cls._from_config(config)

    @classmethod
    def _from_config(cls, config: dict) -> Database:
        params = {
            "host": config.get("HOST") or "",
            "port": str(config.get("PORT") or ""),
            "dbname": config["NAME"],
            "user": config.get("USER") or "",
            "sslmode": str(config.get("OPTIONS", {}).get("sslmode") or ""),
        }
        conninfo = psycopg.conninfo.make_conninfo(**{key: value for key, value in params.items() if value})
        return cls(conninfo, config.get("PASSWORD") or "", config["NAME"])

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, password=self.password or None, **kwargs)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


# -- what a database holds -----------------------------------------------------------------------


def table_digests(conn: psycopg.Connection) -> dict[str, dict]:
    """{table: {"rows": n, "digest": hex}} for every table of the `public` schema, in `conn`'s
    transaction (its snapshot)."""
    conn.execute(SESSION_SETTINGS)
    tables = [row[0] for row in conn.execute(TABLES_SQL)]
    result = {}
    for table in tables:
        count, high, low = conn.execute(sql.SQL(DIGEST_SQL).format(sql.Identifier(table))).fetchone()
        result[table] = {
            "rows": count,
            "digest": hashlib.sha256(f"{count}:{high}:{low}".encode()).hexdigest(),
        }
    return result


def applied_migrations(conn: psycopg.Connection) -> list[str] | None:
    """["app.name", …] applied in `conn`'s database, or None when it has no django_migrations."""
    if conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()[0] is None:
        return None
    return [
        f"{app}.{name}" for app, name in conn.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2")
    ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def private_folders() -> dict[str, Path]:
    """The folders of private files a backup carries, by their name in the archive."""
    from parcours.appointments.notifications import letter_folder, sms_folder

    return {
        "imports": Path(settings.VAR_DIR) / "imports",
        "courriers": letter_folder(),
        "courriels": Path(settings.EMAIL_FILE_PATH),
        "sms": sms_folder(),
    }


# -- backup --------------------------------------------------------------------------------------


def create_backup(destination: Path | None = None, database: Database | None = None) -> Path:
    """Write a backup folder under `destination` (PARCOURS_BACKUP_DIR by default); return it."""
    database = database or Database.from_settings()
    started = time.perf_counter()
    now = timezone.localtime()
    parent = private_directory(destination or settings.PARCOURS_BACKUP_DIR)
    folder = parent / f"parcours-{now:%Y%m%d-%H%M%S}"
    if folder.exists():
        raise BackupError(f"Le dossier {folder} existe déjà : relancez la sauvegarde dans une seconde.")
    private_directory(folder)
    dump = folder / DUMP
    open_private(dump, "wb").close()  # pg_dump writes into a file that is already 0600
    with database.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        dumper = subprocess.Popen(
            [
                find_binary("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={dump}",
                f"--dbname={database.conninfo}",
            ],
            env=database.env(),
            stderr=subprocess.PIPE,
        )
        try:  # the counts and digests are computed while pg_dump runs, in the same snapshot
            tables = table_digests(conn)
            migrations = applied_migrations(conn) or []
            server_version = conn.info.server_version
        finally:
            _, errors = dumper.communicate()
    if dumper.returncode != 0:
        raise BackupError(f"pg_dump a échoué : {errors.decode(errors='replace').strip()[-500:]}")
    files = _archive_files(folder / FILES)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": {"name": database.name, "server_version": server_version, "tables": tables},
        "migrations": migrations,
        "files": files,
        "artifacts": {
            name: {"size": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
            for name in (DUMP, FILES)
        },
        "seconds": round(time.perf_counter() - started, 3),
    }
    with open_private(folder / MANIFEST, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, ensure_ascii=False, sort_keys=True)
    return folder


def _archive_files(target: Path) -> dict[str, dict]:
    files = {}
    with open_private(target, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
        for label, folder in private_folders().items():
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() or not path.is_file():
                    continue
                name = f"{label}/{path.relative_to(folder).as_posix()}"
                files[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
                archive.add(path, arcname=name, recursive=False)
    return files


# -- reading a backup ----------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{path} introuvable : ce dossier n'est pas une sauvegarde de Parcours.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} est illisible (JSON invalide) : le manifeste a été abîmé.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} n'est pas un manifeste de sauvegarde au format {FORMAT}.")
    return manifest


def _artifact_faults(folder: Path, manifest: dict) -> list[str]:
    faults = []
    for name, expected in manifest.get("artifacts", {}).items():
        path = Path(folder) / name
        if not path.is_file():
            faults.append(f"{name} manque dans la sauvegarde.")
        elif path.stat().st_size != expected.get("size") or _sha256(path) != expected.get("sha256"):
            faults.append(
                f"{name} ne correspond pas au manifeste (taille ou empreinte SHA-256) : fichier abîmé ou modifié."
            )
    return faults


def _file_faults(folder: Path, manifest: dict) -> tuple[int, list[str]]:
    """Read the archive member by member and compare with the manifest's list."""
    expected = dict(manifest.get("files", {}))
    faults = []
    found = 0
    with tarfile.open(Path(folder) / FILES, mode="r") as archive:
        for member in archive:
            if not member.isfile():
                continue
            entry = expected.pop(member.name, None)
            content = archive.extractfile(member)
            digest = hashlib.sha256()
            for block in iter(lambda content=content: content.read(1 << 20), b""):
                digest.update(block)
            if entry is None:
                faults.append(f"Fichier {member.name} dans l'archive mais pas dans le manifeste.")
            elif entry.get("sha256") != digest.hexdigest() or entry.get("size") != member.size:
                faults.append(f"Fichier {member.name} différent de celui sauvegardé.")
            else:
                found += 1
    faults += [f"Fichier {name} du manifeste absent de l'archive." for name in sorted(expected)]
    return found, faults


def _table_faults(
    expected: dict[str, dict], actual: dict[str, dict], *, extra_is_fault: bool = True
) -> list[str]:
    faults = []
    for table, want in sorted(expected.items()):
        got = actual.get(table)
        if got is None:
            faults.append(f"Table {table} absente de la copie restaurée.")
        elif got["rows"] != want.get("rows"):
            faults.append(
                f"Table {table} : {got['rows']} ligne(s) restaurée(s), {want.get('rows')} selon le manifeste."
            )
        elif got["digest"] != want.get("digest"):
            faults.append(
                f"Table {table} : même nombre de lignes ({got['rows']}) mais contenu différent (empreinte)."
            )
    if extra_is_fault:
        faults += [
            f"Table {table} restaurée mais absente du manifeste."
            for table in sorted(set(actual) - set(expected))
        ]
    return faults


@dataclass
class RestoreReport:
    """What a restore (or restore check) found; `ok` when nothing differs."""

    backup: Path
    tables: int = 0
    rows: int = 0
    files: int = 0
    faults: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.faults

    def text(self) -> str:
        lines = [f"Sauvegarde {self.backup}"]
        lines += [f"  {note}" for note in self.notes]
        if self.ok:
            lines.append(
                f"RESTAURATION CONFORME : {self.tables} table(s), {self.rows} ligne(s) et {self.files} fichier(s) "
                f"identiques au manifeste ({self.seconds:.1f} s)."
            )
        else:
            lines.append(f"RESTAURATION NON CONFORME : {len(self.faults)} écart(s) avec le manifeste :")
            lines += [f"  - {fault}" for fault in self.faults]
        return "\n".join(lines)


def _pg_restore(dump: Path, database: Database, *extra: str) -> None:
    completed = subprocess.run(
        [
            find_binary("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--no-password",
            f"--dbname={database.conninfo}",
            *extra,
            str(dump),
        ],
        env=database.env(),
        capture_output=True,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_restore a échoué : {completed.stderr.decode(errors='replace').strip()[-800:]}")


def _audit_note(url: str) -> tuple[str | None, str | None]:
    """Run `parcours verify-audit` (without sealing) on the restored copy: (note, fault)."""
    completed = subprocess.run(
        [sys.executable, "-m", "parcours.cli", "verify-audit", "--sans-scellement"],
        env=dict(os.environ, DATABASE_URL=url),
        capture_output=True,
        text=True,
    )
    message = (completed.stdout or completed.stderr).strip().splitlines()
    text = message[-1] if message else "pas de réponse"
    if completed.returncode == 0:
        return f"Copie restaurée — {text}", None
    return None, f"Journal d'audit de la copie restaurée : {text}"


def restore_check(folder: Path, *, jobs: int = 2, audit: bool = True) -> RestoreReport:
    """Restore the backup in `folder` into a throwaway PostgreSQL cluster and compare every table's
    rows and digest, and every file, with its manifest (and verify the audit chain of the copy)."""
    started = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder)
    report = RestoreReport(folder)
    report.notes.append(
        f"du {manifest.get('created_at', '?')}, base {manifest.get('database', {}).get('name', '?')}, "
        f"{len(manifest.get('migrations', []))} migration(s)"
    )
    report.faults += _artifact_faults(folder, manifest)
    if report.faults:
        report.seconds = time.perf_counter() - started
        return report
    expected = manifest.get("database", {}).get("tables", {})
    with ThrowawayCluster(prefix="parcours-restore-") as cluster:
        url = cluster.create_database("restauration")
        target = Database.from_url(url)
        _pg_restore(folder / DUMP, target, f"--jobs={max(1, jobs)}")
        with target.connect() as conn:
            actual = table_digests(conn)
        report.faults += _table_faults(expected, actual)
        if audit and "core_auditevent" in actual:
            note, fault = _audit_note(url)
            report.notes += [note] if note else []
            report.faults += [fault] if fault else []
    report.tables = len(actual)
    report.rows = sum(table["rows"] for table in actual.values())
    report.files, file_faults = _file_faults(folder, manifest)
    report.faults += file_faults
    report.seconds = time.perf_counter() - started
    return report


def restore(folder: Path, database: Database, *, replace: bool = False, files: bool = False) -> RestoreReport:
    """Restore the backup in `folder` into `database`, then compare with the manifest.

    Refused (RestoreRefused, nothing written) when the backup is damaged, when the target's
    schema is newer than the backup's, or when the target holds tables and `replace` is false.
    `files` also puts the private files back in this installation's folders (never over a file
    that exists unless `replace`)."""
    started = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder)
    damaged = _artifact_faults(folder, manifest)
    if damaged:
        raise RestoreRefused("Sauvegarde abîmée, rien n'a été restauré : " + " ".join(damaged))
    with database.connect() as conn:
        applied = applied_migrations(conn)
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()[0]
    newer = sorted(set(applied or []) - set(manifest.get("migrations", [])))
    if newer:
        shown = ", ".join(newer[:5]) + (f" et {len(newer) - 5} autre(s)" if len(newer) > 5 else "")
        raise RestoreRefused(
            f"Restauration refusée : le schéma de la base « {database.name} » est plus récent que celui de la "
            f"sauvegarde du {manifest.get('created_at', '?')} ({len(newer)} migration(s) appliquée(s) absente(s) "
            f"de la sauvegarde : {shown}). Restaurez dans une base vide, avec la version de Parcours qui a "
            "fait la sauvegarde, puis lancez `parcours migrate`."
        )
    if tables and not replace:
        raise RestoreRefused(
            f"Restauration refusée : la base « {database.name} » contient déjà {tables} table(s). "
            "Restaurez dans une base vide, ou relancez avec --remplacer pour effacer son contenu."
        )
    _pg_restore(
        folder / DUMP, database, "--single-transaction", *(["--clean", "--if-exists"] if tables else [])
    )
    report = RestoreReport(folder)
    with database.connect() as conn:
        actual = table_digests(conn)
    expected = manifest.get("database", {}).get("tables", {})
    report.faults += _table_faults(expected, actual, extra_is_fault=False)
    report.tables, report.rows = len(expected), sum(actual.get(t, {}).get("rows", 0) for t in expected)
    if files:
        report.files = _restore_files(folder, replace=replace)
    report.seconds = time.perf_counter() - started
    return report


def _restore_files(folder: Path, *, replace: bool) -> int:
    folders = private_folders()
    written = 0
    with tarfile.open(Path(folder) / FILES, mode="r") as archive:
        for member in archive:
            label, _, relative = member.name.partition("/")
            if not member.isfile() or label not in folders or not relative:
                continue
            target = (folders[label] / relative).resolve()
            if not target.is_relative_to(folders[label].resolve()):
                continue  # no member may escape its folder
            if target.exists() and not replace:
                continue
            with archive.extractfile(member) as source, open_private(target, "wb") as out:
                for block in iter(lambda source=source: source.read(1 << 20), b""):
                    out.write(block)
            os.utime(target, (member.mtime, member.mtime))
            written += 1
    return written
