// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * weaken_frr_refs FILE.so: make the module's references to FRR weak.
 *
 * Rewrites, in FILE's dynamic symbol table, every undefined GLOBAL symbol
 * without a symbol version to WEAK. Unversioned references are FRR's
 * (libfrr, zebra, and libyang and json-c that come with libfrr); libc's and
 * libbpf's carry versions and stay as they are. Why: see the version check
 * in zebra_ebpf.c. Run by the build right after linking (subdir.am); running
 * it again changes nothing. The file keeps its layout: only the binding
 * byte of those symbols changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	Elf_Scn *scn = NULL, *symscn = NULL, *verscn = NULL;
	Elf_Data *syms, *vers = NULL;
	GElf_Shdr sh, symsh = { 0 };
	unsigned int weakened = 0;
	size_t i, n;
	Elf *e;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.so\n", argv[0]);
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE)
		return 1;
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	e = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		goto bad;
	/* Rewrite in place: no section moves. */
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			goto bad;
		if (sh.sh_type == SHT_DYNSYM) {
			symscn = scn;
			symsh = sh;
		} else if (sh.sh_type == SHT_GNU_versym)
			verscn = scn;
	}
	if (!symscn || !symsh.sh_entsize)
		goto bad;
	syms = elf_getdata(symscn, NULL);
	if (verscn)
		vers = elf_getdata(verscn, NULL);
	if (!syms || (verscn && !vers))
		goto bad;

	n = symsh.sh_size / symsh.sh_entsize;
	for (i = 1; i < n; i++) {
		GElf_Versym ver = 0;
		GElf_Sym sym;

		if (!gelf_getsym(syms, i, &sym))
			goto bad;
		if (sym.st_shndx != SHN_UNDEF
		    || GELF_ST_BIND(sym.st_info) != STB_GLOBAL)
			continue;
		if (vers && !gelf_getversym(vers, i, &ver))
			goto bad;
		/* 0 local, 1 global (unversioned); above: a version. */
		if ((ver & 0x7fff) > 1)
			continue;
		sym.st_info = GELF_ST_INFO(STB_WEAK, GELF_ST_TYPE(sym.st_info));
		if (!gelf_update_sym(syms, i, &sym))
			goto bad;
		weakened++;
	}
	if (weakened) {
		elf_flagdata(syms, ELF_C_SET, ELF_F_DIRTY);
		if (elf_update(e, ELF_C_WRITE) < 0)
			goto bad;
	}
	elf_end(e);
	close(fd);
	printf("weaken_frr_refs: %s: %u reference(s) made weak\n", argv[1],
	       weakened);
	return 0;
bad:
	fprintf(stderr, "%s: %s\n", argv[1],
		elf_errno() ? elf_errmsg(-1) : "no dynamic symbol table");
	if (e)
		elf_end(e);
	close(fd);
	return 1;
}
