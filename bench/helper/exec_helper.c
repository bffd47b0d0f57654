// SPDX-License-Identifier: GPL-2.0
/*
 * The program the exec benchmarks execve(): it must do nothing but exit, so that
 * what is measured is the kernel's exec/exit/mm teardown and not libc start-up.
 * Built static and, where the toolchain allows, without libc at all.
 */
#ifdef __x86_64__
__attribute__((naked, noreturn)) void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
#else
int main(void)
{
	return 0;
}
#endif
