// cxx_new_prog.cpp - the C++ program test_exec_cxx runs under `allocscope
// exec` and `allocscope capture`: every Itanium-ABI operator new and delete
// (plain, array, nothrow, sized, std::align_val_t) called explicitly with a
// size nothing else uses, and C++'s failure semantics (new_handler, then
// std::bad_alloc; nothrow gives nullptr). Not a test by itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

static const std::size_t SZ = 5003; // the size test_exec_cxx counts
static const std::align_val_t AL{64};

static void check_aligned(void *p)
{
	if (!p || reinterpret_cast<std::uintptr_t>(p) % 64)
		std::abort();
}

// Every variant, ROUNDS times: 12 allocations of SZ (6 of them 64-aligned)
// and 12 frees per round.
static void every_variant(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		void *p;
		p = ::operator new(SZ);
		::operator delete(p);
		p = ::operator new(SZ);
		::operator delete(p, SZ);
		p = ::operator new[](SZ);
		::operator delete[](p);
		p = ::operator new[](SZ);
		::operator delete[](p, SZ);
		p = ::operator new(SZ, std::nothrow);
		::operator delete(p, std::nothrow);
		p = ::operator new[](SZ, std::nothrow);
		::operator delete[](p, std::nothrow);
		p = ::operator new(SZ, AL);
		check_aligned(p);
		::operator delete(p, AL);
		p = ::operator new(SZ, AL);
		check_aligned(p);
		::operator delete(p, SZ, AL);
		p = ::operator new[](SZ, AL);
		check_aligned(p);
		::operator delete[](p, AL);
		p = ::operator new[](SZ, AL);
		check_aligned(p);
		::operator delete[](p, SZ, AL);
		p = ::operator new(SZ, AL, std::nothrow);
		check_aligned(p);
		::operator delete(p, AL, std::nothrow);
		p = ::operator new[](SZ, AL, std::nothrow);
		check_aligned(p);
		::operator delete[](p, AL, std::nothrow);
	}
}

static int handler_calls;

static void handler()
{
	if (++handler_calls == 2)
		std::set_new_handler(nullptr); // the next failure throws
}

// What C++ promises when memory runs out; printed, so that a run on a
// module can be compared with a plain one.
static void failures()
{
	const std::size_t huge = std::size_t(1) << 62;
	std::set_new_handler(handler);
	try {
		void *p = ::operator new(huge);
		std::printf("new(huge) returned %p\n", p);
	} catch (const std::bad_alloc &) {
		std::printf("new(huge): bad_alloc after %d handler calls\n", handler_calls);
	}
	handler_calls = 0;
	std::set_new_handler(handler);
	try {
		void *p = ::operator new[](huge, AL);
		std::printf("new[](huge, 64) returned %p\n", p);
	} catch (const std::bad_alloc &) {
		std::printf("new[](huge, 64): bad_alloc after %d handler calls\n", handler_calls);
	}
	std::set_new_handler(nullptr);
	std::printf("new(huge, nothrow): %s\n",
	            ::operator new(huge, std::nothrow) ? "a block" : "nullptr");
	std::printf("new(huge, 64, nothrow): %s\n",
	            ::operator new(huge, AL, std::nothrow) ? "a block" : "nullptr");
	try {
		void *p = ::operator new(100, std::align_val_t{24});
		std::printf("new(100, 24) returned %s\n", p ? "a block" : "nullptr");
	} catch (const std::bad_alloc &) {
		std::printf("new(100, 24): bad_alloc\n");
	}
	std::string *s = new std::string(100, 'x');
	std::printf("string of %zu\n", s->size());
	delete s;
}

int main(int argc, char **argv)
{
	std::string mode = argc > 1 ? argv[1] : "every";
	if (mode == "every")
		every_variant(argc > 2 ? std::atoi(argv[2]) : 1000);
	else if (mode == "fail")
		failures();
	else
		return 2;
	return 0;
}
